"""Kernel conformance (Debian's python3-jupyter-kernel-test) plus the behaviours a notebook user relies on:
interrupting a busy cell, errors that point at the user's line, magics, rich display.

Run: /usr/bin/python3 -m unittest kernel-ext/src/test/python/test_kernel.py  (after the kernelspec is installed)
"""
import os
import time
import unittest

import jupyter_kernel_test
from jupyter_client.manager import start_new_kernel

KERNEL = os.environ.get("NEUROLENS_KERNEL", "neurolens")


class NeurolensKernelConformance(jupyter_kernel_test.KernelTests):
    kernel_name = KERNEL
    language_name = "java"
    file_extension = ".jshell"

    code_hello_world = 'System.out.println("hello, world");'
    code_stderr = 'System.err.println("to stderr");'
    completion_samples = [
        {"text": "Math.hypo", "matches": {"hypot("}},
        {"text": "%devi", "matches": {"device"}},
    ]
    complete_code_samples = ["1 + 1", "int x = 3;", "for (int i = 0; i < 2; i++) {}", "%neurolens"]
    incomplete_code_samples = ["for (int i = 0; i < 3; i++) {", "int f(int a) {\n  return a;", "String s = \"a\" +"]
    code_generate_error = 'throw new IllegalStateException("boom");'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"neuro" + "lens"', "result": "neurolens"},
        {"code": "int k = 20;\nk + 1", "result": "21"},
    ]
    code_display_data = [
        {"code": "display(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB));", "mime": "image/png"},
        {"code": 'display(Html.of("<b>bold</b>"));', "mime": "text/html"},
    ]
    code_inspect_sample = "Math.max"

    # --- beyond the conformance suite -------------------------------------------------------------

    def run_cell(self, code, timeout=60):
        self.flush_channels()
        reply, outputs = self.execute_helper(code=code, timeout=timeout)
        return reply["content"], outputs

    def interrupt_after(self, code, seconds):
        """Runs code, interrupts it after `seconds`, returns the execute reply; drains the cell's output."""
        self.flush_channels()
        msg_id = self.kc.execute(code)
        time.sleep(seconds)
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=20)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = self.kc.get_shell_msg(timeout=20)
        while True:
            msg = self.kc.get_iopub_msg(timeout=20)
            if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                    and msg["content"]["execution_state"] == "idle"):
                break
        return reply["content"]

    def test_trailing_semicolon_hides_the_value(self):
        content, outputs = self.run_cell('System.out.printf("%d%n", 7);')
        self.assertEqual(content["status"], "ok")
        self.assertEqual([m["msg_type"] for m in outputs if m["msg_type"] == "execute_result"], [])
        content, outputs = self.run_cell("Math.abs(-3)")
        self.assertEqual([m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"], ["3"])

    def test_printing_in_a_loop_arrives_as_few_messages(self):
        # printf writes each piece separately; one stream message per piece bloated saved notebooks
        content, outputs = self.run_cell('for (int i = 0; i < 20; i++) System.out.printf("%-4s %d%n", "row", i);\n'
                                         'System.out.print("end");')
        self.assertEqual(content["status"], "ok")
        streams = [m["content"] for m in outputs if m["msg_type"] == "stream"]
        text = "".join(c["text"] for c in streams)
        self.assertEqual(text, "".join("row  %d\n" % i for i in range(20)) + "end")
        self.assertLessEqual(len(streams), 2, streams)

    def test_text_printed_before_a_picture_shows_above_it(self):
        content, outputs = self.run_cell('System.out.print("before");\n'
                                         'display(new java.awt.image.BufferedImage(2, 2, 1));\n'
                                         'System.out.print("after");')
        self.assertEqual(content["status"], "ok")
        kinds = [(m["msg_type"], m["content"].get("text")) for m in outputs if m["msg_type"] in ("stream", "display_data")]
        self.assertEqual(kinds, [("stream", "before"), ("display_data", None), ("stream", "after")])

    def test_compile_error_points_at_user_line(self):
        content, outputs = self.run_cell("int a = 1;\nint b = a +;\n")
        self.assertEqual(content["status"], "error")
        self.assertEqual(content["ename"], "CompilationException")
        self.assertIn("line 2", content["evalue"])
        tb = "\n".join(outputs[0]["content"]["traceback"])
        self.assertIn("int b = a +;", tb)

    def test_runtime_error_shows_cell_line_not_internals(self):
        content, outputs = self.run_cell("int[] xs = new int[2];\n\nint v = xs[5];")
        self.assertEqual(content["status"], "error")
        self.assertIn("ArrayIndexOutOfBoundsException", content["evalue"])
        tb = "\n".join(outputs[0]["content"]["traceback"])
        self.assertIn("at line 3", tb)
        self.assertNotIn("jdk.internal", tb)
        self.assertNotIn("dev.neurolens.kernel", tb)

    def test_bad_input_to_the_library_is_its_message_and_the_cell_line(self):
        content, outputs = self.run_cell('int a = 1;\n'
                                         'dev.neurolens.data.Pictures.read(java.nio.file.Path.of("no_such.png"))')
        self.assertEqual(content["status"], "error")
        self.assertEqual(content["ename"], "CellException")
        tb = outputs[0]["content"]["traceback"]
        self.assertIn("IllegalArgumentException", tb[0])
        self.assertIn("no_such.png", tb[0])
        self.assertIn("does not exist", tb[0])
        self.assertEqual(len(tb), 2, tb)
        self.assertIn("at line 2", tb[1])
        # the user's own IllegalArgumentException keeps its frames
        self.run_cell("void check(int v) {\n  if (v < 0) throw new IllegalArgumentException(\"negative\");\n}")
        content, outputs = self.run_cell("check(-1)")
        self.assertIn("in check()", "\n".join(outputs[0]["content"]["traceback"]))

    def test_history_is_answered(self):
        self.run_cell("int h1 = 1;")
        self.run_cell("int h2 = 2;")
        self.flush_channels()
        msg_id = self.kc.history(hist_access_type="tail", n=2, output=False, raw=True)
        reply = self.kc.get_shell_msg(timeout=10)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = self.kc.get_shell_msg(timeout=10)
        self.assertEqual(reply["msg_type"], "history_reply")
        inputs = [h[2] for h in reply["content"]["history"]]
        self.assertEqual(inputs, ["int h1 = 1;", "int h2 = 2;"])
        msg_id = self.kc.history(hist_access_type="search", pattern="int h1*", n=5, output=False, raw=True)
        reply = self.kc.get_shell_msg(timeout=10)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = self.kc.get_shell_msg(timeout=10)
        self.assertEqual([h[2] for h in reply["content"]["history"]][-1:], ["int h1 = 1;"])

    def test_a_view_that_updates_is_display_data_with_its_id(self):
        content, outputs = self.run_cell(
            'new LiveView() { public String displayId() { return "view-17"; }\n'
            '  public MimeBundle mimeBundle() { return MimeBundle.text("a painter"); } }')
        self.assertEqual(content["status"], "ok")
        kinds = [m["msg_type"] for m in outputs]
        self.assertNotIn("execute_result", kinds)
        shown = [m for m in outputs if m["msg_type"] == "display_data"]
        self.assertEqual(len(shown), 1, kinds)
        self.assertEqual(shown[0]["content"]["transient"]["display_id"], "view-17")
        self.assertEqual(shown[0]["content"]["data"]["text/plain"], "a painter")

    def test_error_in_method_from_earlier_cell(self):
        self.run_cell("int explode(int d) {\n  return 10 / d;\n}")
        content, outputs = self.run_cell("int r = 1;\nexplode(0)")
        self.assertEqual(content["status"], "error")
        tb = "\n".join(outputs[0]["content"]["traceback"])
        self.assertIn("in explode()", tb)
        self.assertIn("at line 2", tb)

    def test_interrupt_busy_loop_kernel_survives(self):
        self.run_cell("int kept = 41;")
        reply = self.interrupt_after("long n = 0; while (true) { n++; }", 2.0)
        self.assertEqual(reply["status"], "error")
        self.assertEqual(reply["ename"], "CellInterrupted")
        content, outputs = self.run_cell("kept + 1")
        self.assertEqual(content["status"], "ok")
        results = [m for m in outputs if m["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["data"]["text/plain"], "42")

    def test_interrupt_sleeping_cell(self):
        t0 = time.time()
        reply = self.interrupt_after("Thread.sleep(60_000);", 1.0)
        self.assertEqual(reply["ename"], "CellInterrupted")
        self.assertLess(time.time() - t0, 10)

    def test_magic_errors_are_one_clear_line(self):
        content, outputs = self.run_cell("%device --verbose")
        self.assertEqual(content["ename"], "MagicArgumentException")
        self.assertIn("unknown option --verbose", content["evalue"])
        self.assertEqual(len(outputs[0]["content"]["traceback"]), 1)
        content, _ = self.run_cell("%nosuchmagic")
        self.assertIn("unknown magic %nosuchmagic", content["evalue"])

    def test_magic_help_and_listing(self):
        content, outputs = self.run_cell("%device --help")
        self.assertEqual(content["status"], "ok")
        text = [m for m in outputs if m["msg_type"] == "execute_result"][0]["content"]["data"]["text/plain"]
        self.assertIn("%device", text)
        self.assertIn("--help", text)
        content, outputs = self.run_cell("%neurolens")
        html = [m for m in outputs if m["msg_type"] == "execute_result"][0]["content"]["data"]["text/html"]
        for name in ("%device", "%neurolens", "%jars"):
            self.assertIn(name, html)

    def test_magic_reads_a_network_variable(self):
        content, _ = self.run_cell('var mine = Models.random("fashion_cnn", 3);\nString words = "not a model";')
        self.assertEqual(content["status"], "ok")
        content, outputs = self.run_cell("%filters conv1 --model mine --count 2")
        self.assertEqual(content["status"], "ok", content)
        shown = [m for m in outputs if m["msg_type"] == "execute_result"]
        self.assertIn("image/png", shown[0]["content"]["data"])
        content, _ = self.run_cell("%filters conv1 --model words")
        self.assertEqual(content["evalue"], '%filters: --model words is a String, not a Network; '
                                            'e.g. var words = Models.model("vgg16");')

    def test_cell_magic(self):
        content, outputs = self.run_cell("%%html\n<p id='x'>a \"quoted\" \\u0041 body</p>")
        self.assertEqual(content["status"], "ok")
        html = [m for m in outputs if m["msg_type"] == "execute_result"][0]["content"]["data"]["text/html"]
        self.assertEqual(html, "<p id='x'>a \"quoted\" \\u0041 body</p>")
        content, _ = self.run_cell("%html")
        self.assertIn("needs a cell body", content["evalue"])

    def test_update_display_in_place(self):
        content, outputs = self.run_cell('String id = display("frame 0");\nupdateDisplay(id, "frame 1");')
        self.assertEqual(content["status"], "ok")
        kinds = [m["msg_type"] for m in outputs]
        self.assertIn("display_data", kinds)
        self.assertIn("update_display_data", kinds)
        upd = [m for m in outputs if m["msg_type"] == "update_display_data"][0]["content"]
        self.assertEqual(upd["data"]["text/plain"], "frame 1")
        self.assertIn("display_id", upd["transient"])

    def test_messages_with_a_wrong_signature_are_ignored(self):
        self.flush_channels()
        good_key = self.kc.session.key
        try:
            self.kc.session.key = b"not-the-connection-key"
            self.kc.execute("int forged = 1;")
            with self.assertRaises(Exception):
                self.kc.get_shell_msg(timeout=3)
        finally:
            self.kc.session.key = good_key
        content, _ = self.run_cell("1 + 1")
        self.assertEqual(content["status"], "ok")
        content, _ = self.run_cell("forged")
        self.assertEqual(content["status"], "error")  # the forged cell never ran

    def test_sockets_listen_only_on_the_connection_address(self):
        info = self.km.get_connection_info()
        ports = {info[k] for k in ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")}
        listening = {}
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                with open(table) as f:
                    rows = f.read().splitlines()[1:]
            except OSError:
                continue
            for row in rows:
                fields = row.split()
                addr, port = fields[1].split(":")
                if fields[3] == "0A" and int(port, 16) in ports:  # 0A = LISTEN
                    listening[int(port, 16)] = addr
        self.assertEqual(set(listening), ports)
        self.assertEqual(info["ip"], "127.0.0.1")
        for addr in listening.values():
            # 127.0.0.1, or the same address IPv4-mapped in tcp6; never 0.0.0.0 / ::
            self.assertIn(addr, ("0100007F", "0000000000000000FFFF00000100007F"))


class KernelStartup(unittest.TestCase):
    def test_cold_start_is_quick_and_quiet(self):
        t0 = time.time()
        km, kc = start_new_kernel(kernel_name=KERNEL, startup_timeout=120)
        try:
            kc.execute_interactive("1", timeout=60)
            elapsed = time.time() - t0
            print(f"\nkernel cold start to first result: {elapsed:.2f} s")
            self.assertLess(elapsed, 60)
        finally:
            km.shutdown_kernel(now=True)


def wait_for(kc, msg_id, timeout=120):
    """The execute reply's content and the cell's iopub messages, up to its idle status."""
    reply = kc.get_shell_msg(timeout=timeout)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=timeout)
    outputs = []
    while True:
        msg = kc.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
        outputs.append(msg)
    return reply["content"], outputs


class InterruptSuite(unittest.TestCase):
    """Interrupt on any JDK (17, 21, 25: no Thread.stop) for each kind of busy cell; after each, the kernel and its
    variables survive and the same cell runs again. Prints the latency from the interrupt request to the reply."""

    CASES = [
        # name, setup, cell, seconds before the interrupt, the re-run cell and its value (None: interrupt it again)
        ("busy loop", None, "long n = 0; while (true) { n++; }", 1.0, None),
        ("catch Throwable", None, "while (true) { try { while (true) {} } catch (Throwable t) {} }", 1.0, None),
        ("sleep", None, "Thread.sleep(60_000);", 1.0, None),
        ("static initialiser",
         "class Slow { static int v; static { long e = System.nanoTime() + 3_000_000_000L; "
         "while (System.nanoTime() < e) {} v = 1; } }", "Slow.v", 1.0, ("Slow.v", "1")),
        ("first-use library class",
         None, "var chart = Charts.line(\"loss\", \"step\", \"value\"); var png = Display.bundleOf(chart); "
         "long m = 0; while (true) { m++; }", 0.3,
         ("Charts.line(\"loss\", \"step\", \"value\").getTitle()", "loss")),
        ("libtorch calls",
         "var net = Neurolens.defaultModel(); var x = Tensor.zeros(8, 1, 28, 28);",
         "while (true) { net.logits(x); }", 2.0, ("net.logits(x).shape()[1]", "10")),
        ("library loop",
         None, "ClassVisualization.of(Neurolens.defaultModel()).target(1).steps(1_000_000).live(false).run()", 3.0,
         ("ClassVisualization.of(Neurolens.defaultModel()).target(1).steps(2).live(false).run().getClass()"
          ".getSimpleName()", "RenderResult")),
    ]

    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name=KERNEL, startup_timeout=120)
        cls.latencies = []

    @classmethod
    def tearDownClass(cls):
        cls.km.shutdown_kernel(now=True)
        print("\ninterrupt latency (%s): %s" % (KERNEL, ", ".join("%s %.2f s" % l for l in cls.latencies)))

    def execute(self, code, timeout=120):
        return self.wait(self.kc.execute(code), timeout)

    def wait(self, msg_id, timeout=120):
        return wait_for(self.kc, msg_id, timeout)

    def interrupt(self, code, seconds):
        msg_id = self.kc.execute(code)
        time.sleep(seconds)
        t0 = time.time()
        self.km.interrupt_kernel()
        reply, outputs = self.wait(msg_id, timeout=30)
        return reply, outputs, time.time() - t0

    def test_every_kind_of_busy_cell_stops_and_runs_again(self):
        reply, _ = self.execute("int kept = 41;")
        self.assertEqual(reply["status"], "ok")
        for name, setup, code, seconds, rerun in self.CASES:
            with self.subTest(name):
                if setup:
                    reply, _ = self.execute(setup)
                    self.assertEqual(reply["status"], "ok", (name, reply))
                reply, outputs, latency = self.interrupt(code, seconds)
                self.latencies.append((name, latency))
                self.assertEqual(reply.get("ename"), "CellInterrupted", (name, reply))
                self.assertLess(latency, 2.0, name)
                if rerun is None:
                    reply, outputs, latency = self.interrupt(code, seconds)
                    self.assertEqual(reply.get("ename"), "CellInterrupted", (name, "again", reply))
                else:
                    again, value = rerun
                    reply, outputs = self.execute(again)
                    self.assertEqual(reply["status"], "ok", (name, reply))
                    shown = [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"]
                    self.assertEqual(shown, [value], name)
                reply, outputs = self.execute("kept + 1")
                shown = [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"]
                self.assertEqual(shown, ["42"], name)


SPARK_JAR = os.path.join(os.path.dirname(__file__), "..", "..", "..", "..", "spark", "target", "neurolens-spark.jar")


@unittest.skipUnless(os.path.isfile(SPARK_JAR), "the Spark module is not built (./neurolens spark)")
class SparkThroughTheKernel(unittest.TestCase):
    """%spark in a real kernel: Spark runs inside it, and the interrupt button cancels the Spark job within 2 s,
    keeping the ranges merged so far (TopPatches.lastResult()), with no Spark job left running."""

    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name=KERNEL, startup_timeout=120)

    @classmethod
    def tearDownClass(cls):
        cls.km.shutdown_kernel(now=True)

    def execute(self, code, timeout=180):
        reply, outputs = wait_for(self.kc, self.kc.execute(code), timeout)
        self.assertEqual(reply["status"], "ok", (code, reply))
        return [m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"]

    def test_interrupt_cancels_the_spark_job_and_keeps_what_was_merged(self):
        self.assertIn("is on the classpath", self.execute("%spark")[0])
        self.execute("import dev.neurolens.spark.*;\nSparkRunner spark = SparkRunner.local(2);\n"
                     "var net = Neurolens.defaultModel();\nvar data = ImageSet.fashionMnistTest();")
        msg_id = self.kc.execute('TopPatches.builder(net, "conv3").k(5).batch(5).on(spark).run(data)')
        time.sleep(4.0)
        t0 = time.time()
        self.km.interrupt_kernel()
        reply, _ = wait_for(self.kc, msg_id, 30)
        latency = time.time() - t0
        print("\nSpark job interrupted in %.2f s (%s)" % (latency, KERNEL))
        self.assertEqual(reply.get("ename"), "CellInterrupted", reply)
        self.assertLess(latency, 2.0)
        kept = self.execute("var r = TopPatches.lastResult();\nr.interrupted() + \" \" + (r.imagesSeen() > 0) + "
                            "\" \" + (r.imagesSeen() < 10000)")
        self.assertEqual(kept, ["true true true"])
        self.assertEqual(self.execute("Thread.sleep(1000);\nspark.context().statusTracker().getActiveJobIds().length"),
                         ["0"])
        self.execute("spark.close();")


class WeightDownloadThroughTheKernel(unittest.TestCase):
    """A registry model's first use downloads from a local server with a live bar in the notebook; the second use
    reads the cache; a corrupted body is rejected and deleted. Through the installed kernelspec, which starts the
    JVM with DJL's offline switch on (it must not stop our downloads)."""

    @classmethod
    def setUpClass(cls):
        import hashlib
        import http.server
        import subprocess
        import sys
        import tempfile
        import threading
        cls.tmp = tempfile.TemporaryDirectory()
        root = cls.tmp.name
        pth = os.path.join(root, "squeezenet.pth")
        # a torchvision-architecture file made here (random weights, fixed seed): no download site is needed
        subprocess.run([sys.executable, "-c",
                        "import torch, torchvision; torch.manual_seed(0); "
                        f"torch.save(torchvision.models.squeezenet1_1().state_dict(), {pth!r})"], check=True)
        with open(pth, "rb") as f:
            cls.body = f.read()
        cls.sha = hashlib.sha256(cls.body).hexdigest()
        cls.name = f"squeezenet1_1-{cls.sha[:8]}.pth"
        cls.hits = []
        body, hits = cls.body, cls.hits

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                hits.append(self.path)
                data = body if self.path.startswith("/models/") else body[:1000] + b"x" + body[1001:]
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        cls.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()
        cls.base = f"http://127.0.0.1:{cls.server.server_address[1]}"
        cls.cache = os.path.join(root, "cache")
        env = {k: v for k, v in os.environ.items() if k not in ("NEUROLENS_WEIGHTS", "NEUROLENS_OFFLINE",
                                                                 "NEUROLENS_MIRROR")}
        env["NEUROLENS_CACHE"] = cls.cache
        cls.km, cls.kc = start_new_kernel(kernel_name=KERNEL, startup_timeout=120, env=env)

    @classmethod
    def tearDownClass(cls):
        cls.km.shutdown_kernel(now=True)
        cls.server.shutdown()
        cls.tmp.cleanup()

    def run_cell(self, code, timeout=120):
        return wait_for(self.kc, self.kc.execute(code), timeout)

    def register_and_load(self, entry, path):
        return self.run_cell(
            f'dev.neurolens.model.WeightStore.register(new dev.neurolens.model.WeightsEntry("{entry}", '
            f'"squeezenet1_1", "{self.base}{path}/{self.name}", "{self.sha}"));\n'
            f'try (var net = dev.neurolens.Neurolens.model("{entry}")) {{ System.out.println(net.source()); }}')

    @staticmethod
    def bars(outputs):
        return [m["content"]["data"].get("text/html", "") for m in outputs
                if m["msg_type"] in ("display_data", "update_display_data") and "nl-progress" in
                m["content"]["data"].get("text/html", "")]

    def test_first_use_downloads_with_a_bar_then_the_cache_serves(self):
        content, outputs = self.register_and_load("squeeze_dl", "/models")
        self.assertEqual(content["status"], "ok", content)
        bars = self.bars(outputs)
        self.assertTrue(bars, [m["msg_type"] for m in outputs])
        self.assertIn("downloading " + self.name, bars[0])
        mb = f"{len(self.body) / 1e6:.1f}"
        self.assertIn(f"{mb}/{mb} MB 100%", bars[-1])
        self.assertIn("MB/s", bars[-1])
        printed = "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")
        self.assertIn(os.path.join(self.cache, self.name), printed)
        downloads = lambda: [h for h in self.hits if h.startswith("/models/")]
        self.assertEqual(len(downloads()), 1)

        content, outputs = self.register_and_load("squeeze_dl", "/models")
        self.assertEqual(content["status"], "ok", content)
        self.assertEqual(self.bars(outputs), [])
        self.assertEqual(len(downloads()), 1, "the second use reads the cache")

    def test_a_corrupted_body_is_rejected_and_deleted(self):
        content, outputs = self.run_cell(
            f'dev.neurolens.model.WeightStore.register(new dev.neurolens.model.WeightsEntry("squeeze_bad", '
            f'"squeezenet1_1", "{self.base}/corrupt/{self.name.replace(".pth", "b.pth")}", "{self.sha}"));\n'
            f'dev.neurolens.Neurolens.model("squeeze_bad")')
        self.assertEqual(content["status"], "error")
        self.assertIn("sha256", content["evalue"])
        self.assertIn("deleted", content["evalue"])
        self.assertIn("/corrupt/", content["evalue"])
        leftovers = [f for f in os.listdir(self.cache) if "b.pth" in f]
        self.assertEqual(leftovers, [])


if __name__ == "__main__":
    unittest.main()
