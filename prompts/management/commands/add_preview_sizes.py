"""Give existing images the preview sizes added to PREVIEW_WIDTHS since they were rendered.

Run after widening PREVIEW_WIDTHS (the full-size viewer's 2048 px, say). Queues one task per
image that lacks a size, on the previews queue; `--now` renders here instead (no worker needed).
Safe to run any time and any number of times: only missing sizes are rendered.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from prompts.previews.backfill import image_add_missing_sizes, images_missing_sizes
from prompts.previews.enqueue import send
from prompts.previews.tasks import add_preview_sizes


class Command(BaseCommand):
    help = "Render the preview sizes (PREVIEW_WIDTHS) that existing ready images lack."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", action="store_true", help="render in this process, not on workers")

    def handle(self, *args: Any, **options: Any) -> None:
        images = sizes = 0
        for image_id in images_missing_sizes():
            images += 1
            if options["now"]:
                sizes += len(image_add_missing_sizes(image_id=image_id))
            else:
                send(add_preview_sizes, image_id)
        done = f"added {sizes} sizes to {images} images" if options["now"] else f"queued {images} images"
        self.stdout.write(self.style.SUCCESS(f"Preview sizes: {done}."))
