"""Dependencies between the apps run one way: core <- accounts <- verification <- rates <- notifications
<- prompts <- tutoring <- payments <- privacy <- interfaces (api, storefront) <- demo, and one
interface never imports another.

Every `import` and `from ... import` counts, wherever it is written: at the top, inside a
function, or under `if TYPE_CHECKING:` (a type-only import still couples the modules). Dotted
strings (settings, `include("...")`, template names) are not imports and are not checked.
The project's wiring (marketplace.settings, urls, celery, wsgi, asgi) may import anything, and
is not a layer: core's local beat may load the Celery app it starts.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ("marketplace", "prompts", "payments")

# Package prefix -> layer; the longest matching prefix wins.
LAYERS = {
    "marketplace.core": "core",
    "marketplace.accounts": "accounts",
    "marketplace.verification": "verification",
    "marketplace.notifications": "notifications",
    "marketplace.rates": "rates",
    "prompts": "prompts",
    "marketplace.tutoring": "tutoring",
    "payments": "payments",
    "marketplace.privacy": "privacy",
    "marketplace.api": "api",
    "marketplace.storefront": "storefront",
    "marketplace.demo": "demo",
}
RANK: dict[str, float] = {
    "core": 0,
    "accounts": 1,
    "verification": 1.1,  # real-name verification: prompts, tutoring and payments gate on it
    "notifications": 1.5,  # emails about events: prompts, tutoring and payments call it
    "rates": 1.25,  # exchange rates: listings' prices are converted with them, they know no listing
    "prompts": 2,
    "tutoring": 3,
    "payments": 4,
    "privacy": 4.5,  # retention, account deletion, export: reads and changes every app's rows
    "api": 5,
    "storefront": 5,
    "demo": 6,
}
INTERFACES = {"api", "storefront"}


def layer_of(module: str) -> str | None:
    """The layer of a dotted module name; None for the wiring and for code outside the project."""
    for prefix in sorted(LAYERS, key=len, reverse=True):
        if module == prefix or module.startswith(prefix + "."):
            return LAYERS[prefix]
    return None


def imported(source: str, module: str, is_package: bool = False) -> list[tuple[str, str]]:
    """(module as written, full dotted name) of every import in `source`, relative ones resolved.

    `from a import b` gives ("a", "a.b"): b may be a submodule, so its layer decides."""
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(alias.name, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found += [(base, f"{base}.{alias.name}") for alias in node.names]
    return found


def back_edges(modules: dict[str, tuple[str, bool]]) -> list[str]:
    """`a imports b` for every import that points up the layers or from one interface to another."""
    problems = []
    for module, (source, is_package) in sorted(modules.items()):
        source_layer = layer_of(module)
        if source_layer is None:
            continue
        for written, target in imported(source, module, is_package):
            target_layer = layer_of(target)
            if target_layer is None or target_layer == source_layer:
                continue
            upward = RANK[target_layer] > RANK[source_layer]
            sideways = source_layer in INTERFACES and target_layer in INTERFACES
            if upward or sideways:
                problems.append(f"{module} imports {written}")
    return sorted(set(problems))


def project_modules() -> dict[str, tuple[str, bool]]:
    modules = {}
    for top in CHECKED:
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            is_package = parts[-1] == "__init__"
            name = ".".join(parts[:-1] if is_package else parts)
            modules[name] = (path.read_text(encoding="utf-8"), is_package)
    return modules


def test_no_module_imports_a_layer_above_it_or_another_interface() -> None:
    problems = back_edges(project_modules())
    assert not problems, "Imports against the layering:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("module", "source", "reported"),
    [
        ("prompts.x", "from payments.models import Order", "prompts.x imports payments.models"),
        (
            "marketplace.rates.x",
            "from prompts.models import Listing",
            "marketplace.rates.x imports prompts.models",
        ),
        (
            "marketplace.core.x",
            "import marketplace.accounts.models",
            "marketplace.core.x imports marketplace.accounts.models",
        ),
        (
            "marketplace.tutoring.x",
            "def f():\n    from payments import services\n",
            "marketplace.tutoring.x imports payments",
        ),
        (
            "prompts.x",
            "if TYPE_CHECKING:\n    from marketplace.tutoring.models import Booking\n",
            "prompts.x imports marketplace.tutoring.models",
        ),
        (
            "marketplace.api.x",
            "from marketplace.storefront import views",
            "marketplace.api.x imports marketplace.storefront",
        ),
        (
            "marketplace.storefront.x",
            "from ..api import catalog",
            "marketplace.storefront.x imports marketplace.api",
        ),
        (
            "payments.admin",
            "from marketplace.demo import demo_art",
            "payments.admin imports marketplace.demo",
        ),
    ],
)
def test_a_back_edge_is_reported_by_module(module: str, source: str, reported: str) -> None:
    assert back_edges({module: (source, False)}) == [reported]


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("marketplace.tutoring.x", "from prompts.models import Listing"),
        (
            "marketplace.api.x",
            "from payments import services\nfrom marketplace.core.errors import ApplicationError",
        ),
        ("marketplace.demo.x", "from payments.services import seller_onboarding_link"),
        ("marketplace.urls", "from marketplace.api import urls\nfrom marketplace.storefront import views"),
        ("prompts.x", "from . import selectors\nimport django.db"),
    ],
)
def test_imports_down_the_layers_are_allowed(module: str, source: str) -> None:
    assert back_edges({module: (source, False)}) == []
