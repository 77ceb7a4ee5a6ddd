"""Preview pipeline throughput against bare Pillow, and peak worker memory for a 40 MP source.

    .venv/bin/python bench/previews.py [--images 8] [--size 2048]

1. Bare Pillow: decode, resize to 1280/640/320 (each from the previous), encode WebP q80 m4 —
   nothing else. One process, so images/s is images/s/core.
2. The real pipeline: the images are uploaded as listing images (queued), then a real
   `celery worker` on the previews queue (one prefork child, Redis, PostgreSQL) renders them:
   claim, decode, orient, resize, fingerprint, label, XMP, encode, store, record. Images/s from
   its first claim to the last ready row, with one child: images/s/core.
3. Peak memory: a fresh process renders one 40-megapixel source through the pipeline and reports
   its peak RSS (ru_maxrss), Django and Pillow included.

Prints both throughputs, their ratio (target >= 0.85) and the peak (target < 300 MB), and writes
bench/results/previews.json. Needs PostgreSQL and Redis on loopback (DATABASE_URL, REDIS_URL).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
DB_NAME = "dimsum_bench_previews"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/7")
WIDTHS = [1280, 640, 320]


def source_images(count: int, size: int) -> list[bytes]:
    """Deterministic, detailed PNG sources, like text-to-image outputs."""
    from PIL import Image, ImageFilter

    images = []
    for seed in range(count):
        rng = random.Random(seed)
        channels = [
            Image.frombytes("L", (64, 64), rng.randbytes(64 * 64)).resize(
                (size, size), Image.Resampling.BICUBIC
            )
            for _ in range(3)
        ]
        image = Image.merge("RGB", channels)
        noise = Image.effect_noise((size, size), 24).convert("RGB")
        image = Image.blend(image, noise, 0.15).filter(ImageFilter.DETAIL)
        buffer = io.BytesIO()
        image.save(buffer, "PNG", compress_level=6)
        images.append(buffer.getvalue())
    return images


def bare_pillow(sources: list[bytes]) -> float:
    from PIL import Image

    start = time.perf_counter()
    for data in sources:
        image = Image.open(io.BytesIO(data)).convert("RGB")
        for width in WIDTHS:
            height = round(image.height * width / image.width)
            image = image.resize(
                (width, height), Image.Resampling.LANCZOS, reducing_gap=2.0
            )  # as the pipeline
            image.save(io.BytesIO(), "WEBP", quality=80, method=4)
    return len(sources) / (time.perf_counter() - start)


def _env(media: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"{PG}/{DB_NAME}",
        REDIS_URL=REDIS,
        CELERY_BROKER_URL=REDIS,
        CELERY_TASK_ALWAYS_EAGER="0",
        MEDIA_ROOT=str(media / "media"),
        PRIVATE_MEDIA_ROOT=str(media / "private"),
        DJANGO_SETTINGS_MODULE="marketplace.settings",
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="WARNING",
    )
    return env


def _django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _reset_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def pipeline(sources: list[bytes], media: Path) -> float:
    env = _env(media)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    _django(env)
    import redis
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from marketplace.accounts.models import User
    from prompts import services
    from prompts.models import ImageStatus, ListingImage

    redis.Redis.from_url(REDIS).flushdb()
    seller = User.objects.create_user("bench@example.com", "bench-password-1", handle="bench-seller")
    listing = services.listing_create(
        seller=seller, title="Bench", target_model="flux", category="wallpaper", prompt_text="bench [x]"
    )
    # Upload everything first (the web process's work, not the pipeline's), then start the worker
    # and time from its first claim to the last ready row: every task's full cost, Celery included.
    for n, data in enumerate(sources):
        with transaction.atomic():
            upload = SimpleUploadedFile(f"{n}.png", data, content_type="image/png")
            services.listing_image_add(listing=listing, by=seller, upload=upload)
    images = ListingImage.objects.filter(listing=listing)
    log = media / "worker.log"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "marketplace", "worker", "--pool=prefork", "--concurrency=1",
         "-Q", "previews", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.perf_counter() + 600
        while not images.exclude(status=ImageStatus.PENDING).exists():
            if time.perf_counter() > deadline:
                raise SystemExit(f"the worker never started; see {log}")
            time.sleep(0.005)
        start = time.perf_counter()
        while images.filter(status=ImageStatus.READY).count() < len(sources):
            if images.filter(status=ImageStatus.FAILED).exists() or time.perf_counter() > deadline:
                raise SystemExit(f"pipeline failed; see {log}")
            time.sleep(0.01)
        elapsed = time.perf_counter() - start
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
    return len(sources) / elapsed


def peak_memory_40mp(media: Path) -> float:
    """Render one 8000x5000 source in a fresh process; return its peak RSS in MB.

    The source is made and uploaded here (the web process's part); the child does only what a
    worker does, so its peak is the worker's.
    """
    from django.conf import settings
    from django.core.files import File
    from PIL import Image

    from marketplace.accounts.models import User
    from prompts import services

    rng = random.Random(40)
    big = media / "big.png"
    channels = [Image.frombytes("L", (80, 50), rng.randbytes(4000)).resize((8000, 5000)) for _ in range(3)]
    Image.merge("RGB", channels).save(big, "PNG", compress_level=1)
    del channels
    settings.UPLOAD_MAX_BYTES = 200 * 1024 * 1024
    seller = User.objects.get(email="bench@example.com")
    with big.open("rb") as handle:
        image = services.listing_image_add(
            listing=seller.listings.get(), by=seller, upload=File(handle, "big.png")
        )
    code = "\n".join(
        [
            "import sys",
            f"sys.path.insert(0, {str(ROOT)!r})",
            "import django",
            "django.setup()",
            "from prompts.models import ListingImage",
            "from prompts.previews.services import image_render_previews",
            f"image_render_previews(image_id={image.pk})",
            f"assert ListingImage.objects.get(pk={image.pk}).status == 'ready'",
            # VmHWM, not ru_maxrss: the latter survives exec and would report this parent's peak.
            "status = open('/proc/self/status').read().splitlines()",
            "print(next(int(line.split()[1]) for line in status if line.startswith('VmHWM')) / 1024)",
        ]
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_env(media), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"40 MP render failed:\n{result.stderr[-3000:]}")
    return float(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--images", type=int, default=8)
    parser.add_argument("--size", type=int, default=2048)
    args = parser.parse_args()
    print(f"generating {args.images} sources of {args.size}x{args.size} ...", flush=True)
    sources = source_images(args.images, args.size)
    _reset_database()
    with tempfile.TemporaryDirectory(prefix="dimsum-bench-previews-") as tmp:
        media = Path(tmp)
        bare = bare_pillow(sources)
        print(f"bare Pillow      {bare:6.2f} images/s/core", flush=True)
        real = pipeline(sources, media)
        print(f"Dimsum pipeline  {real:6.2f} images/s/core (real celery worker, 1 child)", flush=True)
        peak = peak_memory_40mp(media)
    ratio = real / bare
    print(f"ratio            {ratio:6.2f}x   target >= 0.85  {'PASS' if ratio >= 0.85 else 'FAIL'}")
    print(f"peak RSS, 40 MP  {peak:6.0f} MB  target <  300   {'PASS' if peak < 300 else 'FAIL'}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "previews.json").write_text(
        json.dumps(
            {
                "images": args.images,
                "size": args.size,
                "bare_images_per_s_core": bare,
                "pipeline_images_per_s_core": real,
                "ratio": ratio,
                "peak_rss_mb_40mp": peak,
                "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
