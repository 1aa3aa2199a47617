"""Pages generated from the registered models are up to date."""

from importlib.metadata import entry_points
from pathlib import Path

from twin.core import registry
from twin.coupling import catalogue, channels_page

ROOT = Path(__file__).resolve().parents[1]


def test_docs_channels_page_is_generated_from_the_models():
    """twin's own models (tests register others in-process; a plugin adds its own rows)."""
    classes = [registry.get(ep.name) for ep in entry_points(group="twin.models")
               if ep.value.startswith("twin.models.")]
    page = channels_page(catalogue(classes), classes)
    assert (ROOT / "docs" / "channels.md").read_text() == page, (
        "docs/channels.md is stale: run `twin channels --markdown > docs/channels.md`")
