"""The extension inside stock IJava and JJava kernels, as the README tells a user to load it.

The kernels are built from their own published source by kernel-ext/src/test/stock/build.sh (not committed, not
shipped); point NEUROLENS_STOCK_KERNELS at the jupyter data folder it wrote:

  kernel-ext/src/test/stock/build.sh /tmp/stock IJAVA_SOURCE JJAVA_1.0-a6_SOURCE [JJAVA_1.0-a7_SOURCE]
  NEUROLENS_STOCK_KERNELS=/tmp/stock/share/jupyter /usr/bin/python3 -m unittest -v kernel-ext/src/test/python/test_stock_kernels.py

Every kernelspec there named ijava-* or jjava-* is tested. The cells are the README's: its loading lines and its
default-imports cell, taken from README.md itself so the documented text is what runs.
"""
import base64
import glob
import os
import re
import sys
import time
import unittest

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
TARGET = os.path.join(ROOT, "kernel-ext", "target")
STOCK = os.environ.get("NEUROLENS_STOCK_KERNELS")


def readme_cells():
    """The README's java blocks under 'Use the extension from IJava or JJava': JJava's, IJava's, the imports."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    section = text.split("## Use the extension from IJava or JJava", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```java\n(.*?)```", section, re.S)
    if len(blocks) != 3:
        raise AssertionError("the README's IJava/JJava section should have 3 java blocks, has %d" % len(blocks))
    jars = TARGET + "/neurolens.jar " + TARGET + "/lib/*.jar"
    return [b.replace("/path/to/neurolens/kernel-ext/target/neurolens.jar /path/to/neurolens/kernel-ext/target/lib/*.jar",
                      jars).strip() for b in blocks]


def spec_manager():
    # only the stock kernels' folder: JUPYTER_PATH stays as it is for the other suites in this process
    return KernelSpecManager(kernel_dirs=[os.path.join(STOCK, "kernels")])


def stock_kernels():
    if not STOCK:
        return []
    return sorted(k for k in spec_manager().find_kernel_specs() if k.startswith(("ijava-", "jjava-")))


class StockKernel:
    """One stock kernel with the extension loaded; subclasses name the kernel."""
    kernel = None

    @classmethod
    def setUpClass(cls):
        cls.km = KernelManager(kernel_name=cls.kernel, kernel_spec_manager=spec_manager())
        cls.km.start_kernel()
        cls.kc = cls.km.client()
        cls.kc.start_channels()
        cls.kc.wait_for_ready(timeout=120)
        jjava_cell, ijava_cell, imports = readme_cells()
        started = time.time()
        cls.loaded = cls.cell(ijava_cell if cls.kernel.startswith("ijava") else jjava_cell, 180)
        cls.load_seconds = time.time() - started
        cls.imports = cls.cell(imports)

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=True)

    @classmethod
    def cell(cls, code, timeout=120):
        outputs = []

        def keep(msg):
            if msg["msg_type"] in ("stream", "display_data", "execute_result", "update_display_data", "error"):
                outputs.append(msg)

        reply = cls.kc.execute_interactive(code, timeout=timeout, output_hook=keep)
        return reply["content"], outputs

    def ok(self, code, timeout=120):
        content, outputs = self.cell(code, timeout)
        errors = [m["content"]["ename"] + ": " + m["content"]["evalue"] for m in outputs if m["msg_type"] == "error"]
        self.assertEqual(content["status"], "ok", "%s failed: %s" % (code, errors or content))
        return outputs

    @staticmethod
    def shown(outputs, kinds=("display_data", "execute_result")):
        return [m["content"] for m in outputs if m["msg_type"] in kinds]

    @staticmethod
    def text(outputs):
        return "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream")

    def test_loading_lines_and_default_imports_work(self):
        for content, outputs in (self.loaded, self.imports):
            self.assertEqual(content["status"], "ok", outputs)
        if self.kernel.startswith("ijava"):
            said = " ".join(c["data"]["text/plain"] for c in self.shown(self.loaded[1]))
            self.assertRegex(said, r"Neurolens .* loaded: \d+ renderers, \d+ magics")

    def test_a_magic_shows_its_result(self):
        shown = self.shown(self.ok("%neurolens"))
        self.assertEqual(len(shown), 1, shown)
        self.assertIn("text/html", shown[0]["data"])
        for magic in ("%patches", "%saliency", "%style", "%tsne"):
            self.assertIn(">" + magic + "<", shown[0]["data"]["text/html"])

    def test_a_magic_error_is_one_clear_line(self):
        content, outputs = self.cell("%saliency --no-such-option")
        said = self.text(outputs) + " ".join(m["content"].get("evalue", "") for m in outputs if m["msg_type"] == "error")
        self.assertIn("--no-such-option", said)
        self.assertNotIn("\tat ", said)
        self.assertEqual(self.ok("1 + 1")[-1]["content"]["data"]["text/plain"], "2")

    def test_a_grid_is_a_png(self):
        shown = self.shown(self.ok(
            "BufferedImage red = new BufferedImage(20, 10, BufferedImage.TYPE_INT_RGB);\n"
            "for (int y = 0; y < 10; y++) for (int x = 0; x < 20; x++) red.setRGB(x, y, 0xff0000);\n"
            "ImageGrid.of(List.of(red, red)).captions(List.of(\"a\", \"b\"))"))
        self.assertEqual(len(shown), 1, shown)
        png = base64.b64decode(shown[0]["data"]["image/png"])
        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        self.assertIn("ImageGrid of 2 images", shown[0]["data"]["text/plain"])

    def test_a_table_is_html(self):
        shown = self.shown(self.ok(
            'tech.tablesaw.api.Table.create("scores", tech.tablesaw.api.IntColumn.create("unit", 4, 7))'))
        self.assertEqual(len(shown), 1, shown)
        html = shown[0]["data"]["text/html"]
        self.assertIn("<table", html)
        self.assertIn("unit", html)

    def test_a_live_view_updates_in_place(self):
        outputs = self.ok(
            "LiveDisplay live = LiveDisplay.show(new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB));\n"
            "Thread.sleep(300);\n"
            "live.update(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB));\n"
            "live.finish(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB));")
        first = [m["content"] for m in outputs if m["msg_type"] == "display_data"]
        updates = [m["content"] for m in outputs if m["msg_type"] == "update_display_data"]
        self.assertEqual(len(first), 1, outputs)
        ids = {c["transient"]["display_id"] for c in first + updates}
        self.assertEqual(len(ids), 1, ids)
        self.assertEqual([c["data"]["text/plain"] for c in updates][-1], "Image 4x4")

    def test_the_engine_starts_quietly(self):
        outputs = self.ok("%device")
        shown = self.shown(outputs)
        self.assertEqual(len(shown), 1, shown)
        self.assertIn("text/html", shown[0]["data"])
        # DJL's INFO lines and the CUDA warning of a CPU-only machine stay out of the cell
        self.assertNotIn("ai.djl", self.text(outputs))


def load_tests(loader, tests, pattern):
    suite = unittest.TestSuite()
    kernels = stock_kernels()
    if not kernels:
        why = ("stock IJava/JJava kernels: skipped, NEUROLENS_STOCK_KERNELS does not point at kernelspecs built by "
               "kernel-ext/src/test/stock/build.sh")
        print(why, file=sys.stderr)

        def skipped():
            raise unittest.SkipTest(why)

        # one skipped test rather than none: an empty run fails on Python 3.12+
        suite.addTest(unittest.FunctionTestCase(skipped))
        return suite
    for name in kernels:
        case = type("Stock_" + re.sub(r"\W", "_", name), (StockKernel, unittest.TestCase), {"kernel": name})
        suite.addTests(loader.loadTestsFromTestCase(case))
    return suite
