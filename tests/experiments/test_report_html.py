"""report.html: the markdown subset converter, and the page in headless Chromium."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from experiments.report.html import markdown_to_html, page
from experiments.report.markdown import anchor

#: A 1 x 1 PNG.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQ"
                       "GAhKmMIQAAAABJRU5ErkJggg==")


def test_headings_get_github_anchors_and_duplicates_a_suffix():
    out = markdown_to_html("## 2. Scale\n\n### Size trend against Diehl & Cook (2015)\n\n"
                           "## Notes\n\n## Notes\n")
    assert '<h2 id="2-scale">2. Scale</h2>' in out
    assert 'id="size-trend-against-diehl--cook-2015"' in out
    assert 'id="notes"' in out and 'id="notes-1"' in out
    assert anchor("8. Further measurements: beyond the essay") == \
        "8-further-measurements-beyond-the-essay"


def test_tables_collapse_except_the_first_screen(tmp_path):
    md = ("## At a glance\n\n| a | b |\n|---|---|\n| 1 \\| 2 | `x\\|y` |\n\n"
          "## 2. Scale\n\n| c |\n|---|\n| 3 |\n| 4 |\n")
    out = markdown_to_html(md)
    glance, rest = out.split('id="2-scale"')
    assert '<table class="glance">' in glance and "<details" not in glance
    assert "<td>1 | 2</td>" in glance and "<code>x|y</code>" in glance
    assert "<details><summary>Table (2 rows): c</summary><table>" in rest


def test_inline_markup_lists_quotes_code_and_escaping():
    md = ("A **bold** and *italic* and _italic_ word, snn_random stays, `a_b * c` code, "
          "a [link](#x) and <script>.\n\n- one\n- two `t`\n\n> quoted **x**\n>\n> second\n\n"
          "```\nif a < b:\n```\n")
    out = markdown_to_html(md)
    assert "<strong>bold</strong>" in out and out.count("<em>italic</em>") == 2
    assert "snn_random" in out and "<code>a_b * c</code>" in out
    assert '<a href="#x">link</a>' in out and "&lt;script&gt;" in out
    assert "<ul><li>one</li><li>two <code>t</code></li></ul>" in out
    assert "<blockquote><p>quoted <strong>x</strong></p>\n<p>second</p></blockquote>" in out
    assert "<pre><code>if a &lt; b:</code></pre>" in out


def test_images_are_embedded_and_local_links_dropped(tmp_path):
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "f.png").write_bytes(PNG)
    out = markdown_to_html("[![a plot](figures/f.png)](figures/f.png)\n\n![gone](figures/x.png)\n",
                           tmp_path)
    srcs = re.findall(r'<img src="([^"]+)"', out)
    assert srcs[0].startswith("data:image/png;base64,")
    assert base64.b64decode(srcs[0].split(",", 1)[1]) == PNG
    assert srcs[1] == "figures/x.png"  # a missing file stays a (broken) link, for the tests
    assert "<a " not in out


def test_page_is_a_whole_document():
    doc = page("# brain-vs-ann: `quick` run\n\ntext\n")
    assert doc.startswith("<!DOCTYPE html>") and "<title>brain-vs-ann: quick run</title>" in doc
    assert doc.rstrip().endswith("</html>")


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: Written into the DOM after load: how many images loaded and where the first screen ends.
PROBE = """<script>
window.addEventListener("load", () => {
  const imgs = [...document.images];
  const ok = imgs.filter(i => i.complete && i.naturalWidth > 0).length;
  const g = document.querySelector("table.glance");
  const bottom = g ? Math.round(g.getBoundingClientRect().bottom) : -1;
  const gi = g ? [...g.querySelectorAll("img")].filter(i => i.naturalWidth > 0).length : 0;
  const m = document.createElement("pre");
  m.id = "probe";
  m.textContent = `PROBE images=${imgs.length} loaded=${ok} glance_bottom=${bottom} ` +
                  `glance_images=${gi} height=${window.innerHeight}`;
  document.body.appendChild(m);
});
</script>"""


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")
def test_quick_report_html_in_headless_chromium(tmp_path):
    """Every figure loads and the first screen (the verdicts with their figures) fits
    1280 x 800 without scrolling, in the committed quick run re-rendered."""
    from experiments.report.assemble import render

    src = Path(__file__).resolve().parents[2] / "results" / "quick"
    if not (src / "manifest.json").is_file():
        pytest.skip("results/quick is not in this checkout")
    run = tmp_path / "quick"
    shutil.copytree(src, run)
    render(run)
    html = (run / "report.html").read_text("utf-8")
    probe = tmp_path / "probe.html"
    probe.write_text(html.replace("</body>", PROBE + "</body>"), "utf-8")
    (run / "figures").rename(tmp_path / "moved")  # the page must not need them
    cmd = [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
           "--window-size=1280,800", "--virtual-time-budget=5000"]
    dom = subprocess.run([*cmd, "--dump-dom", probe.as_uri()], capture_output=True,
                         text=True, timeout=120).stdout
    m = re.search(r"PROBE images=(\d+) loaded=(\d+) glance_bottom=(-?\d+) glance_images=(\d+) "
                  r"height=(\d+)", dom)
    assert m, dom[-2000:]
    images, loaded, bottom, glance_images, height = map(int, m.groups())
    assert images >= 12 and loaded == images
    assert glance_images >= 3 and 0 < bottom <= height
    for verdict in ("STDP minus backprop accuracy", "answers first after", "orders of magnitude"):
        assert verdict in dom
    shot = tmp_path / "first_screen.png"
    subprocess.run([*cmd, f"--screenshot={shot}", probe.as_uri()], capture_output=True,
                   timeout=120)
    assert shot.is_file() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
