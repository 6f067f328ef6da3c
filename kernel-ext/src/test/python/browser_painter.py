"""End-to-end check of the painter in a real browser (not part of ./neurolens test: it needs chromium).

Starts the classic Notebook (localhost, no token) with the given kernelspec, opens a notebook in headless chromium
over the DevTools protocol, runs its cell, drags the mouse over the painter's grid, waits for the kernel's picture,
saves the notebook and exports it to HTML, and writes screenshots of the live view and of the export.

Run: JUPYTER_PATH=/tmp/jp-painter/share/jupyter /usr/bin/python3 kernel-ext/src/test/python/browser_painter.py OUT_DIR
Exit status 0 when every check passed; the screenshots are OUT_DIR/live.png and OUT_DIR/export.png.
"""
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from tornado.ioloop import IOLoop
from tornado.websocket import websocket_connect

sys.path.insert(0, os.path.dirname(__file__))
from test_painter import BACKEND, GRID, cells_of  # noqa: E402

KERNEL = os.environ.get("NEUROLENS_KERNEL", "neurolens")
# a small interactive map: PCA of the Fashion-MNIST test pictures' pixels, every point with its thumbnail
MAP = ("dev.neurolens.data.FashionMnist fm = dev.neurolens.data.FashionMnist.test();\nfloat[] px = new float[fm.size() * 784];\n"
       "for (int i = 0; i < fm.size(); i++) System.arraycopy(fm.pixels(i), 0, px, i * 784, 784);\n"
       "dev.neurolens.features.EmbeddingMap.of(dev.neurolens.features.Embedding.pca(dev.neurolens.features.FeatureMatrix.of(px, fm.size(), 784, \"pixels\")),\n"
       "    dev.neurolens.features.ImageSet.fashionMnistTest()).interactiveThumbnails(fm.size()).interactive()")
# a loop with no blocking call in it: the hardest kind to interrupt without Thread.stop (gone from JDK 20 on)
LOOP = "long n = 0;\nwhile (true) { n++; }"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            return urllib.request.urlopen(url, timeout=2).read()
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("no answer from " + url)


class Chrome:
    """Just enough of the DevTools protocol: evaluate, wait for a condition, mouse events, screenshots."""

    def __init__(self, ws_url):
        self.loop = IOLoop.current()
        self.ws = self.loop.run_sync(lambda: websocket_connect(ws_url, max_message_size=64 << 20))
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        msg_id = self.next_id

        async def go():
            await self.ws.write_message(json.dumps({"id": msg_id, "method": method, "params": params}))
            while True:
                m = json.loads(await self.ws.read_message())
                if m.get("id") == msg_id:
                    if "error" in m:
                        raise RuntimeError(method + ": " + str(m["error"]))
                    return m["result"]
        return self.loop.run_sync(go, timeout=60)

    def eval(self, js):
        r = self.call("Runtime.evaluate", expression=js, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(js + " -> " + json.dumps(r["exceptionDetails"])[:500])
        return r["result"].get("value")

    def wait(self, js, seconds=90, what=None):
        deadline = time.time() + seconds
        while time.time() < deadline:
            try:
                if self.eval(js):
                    return
            except RuntimeError:
                pass
            time.sleep(0.25)
        raise AssertionError("timed out waiting for " + (what or js))

    def mouse(self, kind, x, y):
        self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left",
                  buttons=0 if kind == "mouseReleased" else 1, clickCount=1)

    def key(self, key, code, vk, modifiers=0, text=""):
        self.call("Input.dispatchKeyEvent", type="keyDown", key=key, code=code, windowsVirtualKeyCode=vk,
                  modifiers=modifiers, text=text)
        self.call("Input.dispatchKeyEvent", type="keyUp", key=key, code=code, windowsVirtualKeyCode=vk,
                  modifiers=modifiers)

    def shift_enter(self):
        self.key("Enter", "Enter", 13, modifiers=8, text="\r")

    def screenshot(self, path, selector):
        box = self.eval("(function(){var e=document.querySelector(%s);e.scrollIntoView();var r=e.getBoundingClientRect();"
                        "return [r.left+window.scrollX,r.top+window.scrollY,r.width,r.height];})()" % json.dumps(selector))
        shot = self.call("Page.captureScreenshot", format="png",
                         clip={"x": box[0] - 10, "y": box[1] - 10, "width": box[2] + 20, "height": box[3] + 20, "scale": 1})
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))


def start_chrome(dport, profile, size):
    """Headless chromium with its DevTools port open, and a connection to its one page."""
    chrome = subprocess.Popen(["chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
                               "--remote-debugging-port=%d" % dport, "--user-data-dir=" + profile,
                               "--window-size=" + size, "about:blank"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http("http://127.0.0.1:%d/json/version" % dport)
    page = [t for t in json.loads(wait_http("http://127.0.0.1:%d/json" % dport)) if t["type"] == "page"][0]
    c = Chrome(page["webSocketDebuggerUrl"])
    c.call("Page.enable")
    return chrome, c


def stop(chrome, server, profile):
    if chrome:
        chrome.terminate()
        chrome.wait()
    server.terminate()
    server.wait()
    shutil.rmtree(profile, ignore_errors=True)


def main(out, frontend="classic"):
    if frontend != "classic":
        return main_lab(out, frontend)
    os.makedirs(out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="painter-nb-")
    code = BACKEND + '\nPainter garden = Painter.builder(new CellColor()).name("garden").build();\ngarden'
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                     "source": code}],
          "metadata": {"kernelspec": {"name": KERNEL, "display_name": "Java (Neurolens)", "language": "java"}},
          "nbformat": 4, "nbformat_minor": 5}
    with open(os.path.join(work, "painter.ipynb"), "w") as f:
        json.dump(nb, f)
    port, dport = free_port(), free_port()
    profile = tempfile.mkdtemp(prefix="painter-chrome-")
    server = subprocess.Popen(["jupyter", "notebook", "--no-browser", "--ip=127.0.0.1", "--port=%d" % port,
                               "--NotebookApp.token=", "--NotebookApp.password=", "--allow-root",
                               "--notebook-dir=" + work],
                              stdout=subprocess.DEVNULL, stderr=open(os.path.join(out, "server.log"), "w"))
    chrome = None
    checks = []
    try:
        wait_http("http://127.0.0.1:%d/api" % port)
        chrome, c = start_chrome(dport, profile, "1200,1000")
        c.call("Page.navigate", url="http://127.0.0.1:%d/notebooks/painter.ipynb" % port)
        c.wait("window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel && Jupyter.notebook.kernel.is_connected()",
               what="the kernel to connect")
        c.eval("Jupyter.notebook.execute_all_cells(); true")
        c.wait("(document.querySelector('.nlp-status')||{}).textContent.indexOf('Live:') === 0",
               what="the painter view to go live")
        checks.append(("view live", c.eval("document.querySelector('.nlp-status').textContent")))
        src = drag_and_check(c, checks)
        c.screenshot(os.path.join(out, "live.png"), ".nlp")
        # Remove on one painted cell, then Undo, through the buttons
        c.eval("Array.from(document.querySelectorAll('.nlp button')).find(b => b.textContent === 'Remove').click(); true")
        c.mouse("mousePressed", *cell_centre(c, 2, 3))
        c.mouse("mouseReleased", *cell_centre(c, 2, 3))
        c.wait("document.querySelector('.nlp-status').textContent.indexOf('Live: 2 strokes') === 0", what="the remove")
        removed = cells_of(c.eval("document.querySelector('.nlp-img').src").split(",", 1)[1])
        assert removed[(2, 3)] == (0, 0, 0) and removed[(2, 4)] == (0, 255, 0), (removed[(2, 3)], removed[(2, 4)])
        c.screenshot(os.path.join(out, "removed.png"), ".nlp")
        c.eval("Array.from(document.querySelectorAll('.nlp button')).find(b => b.textContent === 'Undo').click(); true")
        c.wait("document.querySelector('.nlp-status').textContent.indexOf('Live: 1 stroke') === 0", what="the undo")
        assert c.eval("document.querySelector('.nlp-img').src") == src, "undo did not bring the picture back"
        checks.append(("remove blackens the cell, undo restores it", True))
        # %paint in a new cell redraws the view in place; its status line must follow, not keep the last stroke's
        c.eval("var cell = Jupyter.notebook.insert_cell_below('code', 0);"
               "cell.set_text('%paint garden --concept green --rect 0,0,1,1'); cell.execute(); true")
        c.wait("document.querySelector('.nlp-status').textContent.indexOf('Live: 2 strokes, changed in the kernel') === 0",
               what="the status line after %paint")
        checks.append(("status line follows %paint", c.eval("document.querySelector('.nlp-status').textContent")))
        c.eval("var cell = Jupyter.notebook.insert_cell_below('code', 1); cell.set_text(%s); cell.execute(); true"
               % json.dumps(LOOP))
        prompt = "Jupyter.notebook.get_cell(2).element.find('.input_prompt').text()"
        c.wait(prompt + ".indexOf('*') >= 0", what="the loop to start")
        time.sleep(1.5)
        start = time.time()
        c.eval("Jupyter.notebook.kernel.interrupt(); true")
        c.wait(prompt + ".indexOf('*') < 0", seconds=10, what="the loop to stop after the interrupt")
        stopped = time.time() - start
        assert stopped < 2.0, "the interrupt took %.1f s" % stopped
        checks.append(("interrupt stops a busy loop (s)", round(stopped, 2)))
        c.eval("var cell = Jupyter.notebook.insert_cell_below('code', 2); cell.set_text(%s); cell.execute(); true"
               % json.dumps(MAP))
        map_check(c, checks)
        c.screenshot(os.path.join(out, "map.png"), "[id^=nlmap]")
        src = c.eval("document.querySelector('.nlp-img').src")
        # the notebook model holds the latest picture, so saving keeps it
        model_html = c.eval("Jupyter.notebook.get_cell(0).output_area.outputs[0].data['text/html']")
        assert src.split(",", 1)[1] in model_html, "the output model was not updated"
        c.eval("Jupyter.notebook.save_notebook().then(function(){return true;})")
        time.sleep(1.0)
        saved = json.load(open(os.path.join(work, "painter.ipynb")))
        saved_html = "".join(saved["cells"][0]["outputs"][0]["data"]["text/html"])
        assert src.split(",", 1)[1] in saved_html, "the saved notebook does not hold the latest picture"
        checks.append(("saved notebook holds the latest picture", True))
        subprocess.run(["jupyter", "nbconvert", "--to", "html", "--output-dir", out, os.path.join(work, "painter.ipynb")],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # leave without the "unsaved changes" dialog, which would hold the navigation
        c.eval("Jupyter.notebook.set_dirty(false); window.onbeforeunload = null; true")
        c.call("Page.navigate", url="file://" + os.path.join(os.path.abspath(out), "painter.html"))
        c.wait("document.querySelector('.nlp-overlay') !== null", what="the exported view")
        status = c.eval("document.querySelector('.nlp-status').textContent")
        assert "Live painting needs this notebook open in Jupyter" in status and "%paint garden" in status, status
        exported = c.eval("document.querySelector('.nlp-img').src").split(",", 1)[1]
        assert exported == src.split(",", 1)[1], "the export shows an older picture"
        checks.append(("export shows the latest picture and the fallback line", status))
        c.screenshot(os.path.join(out, "export.png"), ".nlp")
    finally:
        stop(chrome, server, profile)
    for name, value in checks:
        print("ok: classic", name, "-", value)


def map_check(c, checks):
    """The map's canvas answers the wheel (zooms: its pixels change) and hover (a tooltip with a thumbnail)."""
    c.wait("!!document.querySelector('[id^=nlmap] canvas')", seconds=120, what="the map")
    box = c.eval("(function(){var v=document.querySelector('[id^=nlmap] canvas');v.scrollIntoView({block:'center'});"
                 "var r=v.getBoundingClientRect();return [r.left,r.top,r.width,r.height];})()")
    tip = "(function(){var t=document.querySelector('[id^=nlmap] .tip');return t.style.display==='block'?t.textContent:'';})()"
    found = None
    for gy in range(1, 12):
        for gx in range(1, 12):
            x, y = box[0] + box[2] * gx / 12, box[1] + box[3] * gy / 12
            c.call("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y, button="none")
            text = c.eval(tip)
            if text:
                found = (x, y, text)
                break
        if found:
            break
    assert found, "no tooltip anywhere on the map"
    spread = c.eval("(function(){var d=document.querySelector('[id^=nlmap] .tip canvas').getContext('2d')"
                    ".getImageData(0,0,84,84).data,lo=255,hi=0;for(var i=0;i<d.length;i+=4){lo=Math.min(lo,d[i]);"
                    "hi=Math.max(hi,d[i]);}return hi-lo;})()")
    assert spread > 50, "the tooltip's thumbnail is blank (spread %s)" % spread
    checks.append(("map hover shows a thumbnail", found[2]))
    before = c.eval("document.querySelector('[id^=nlmap] canvas').toDataURL().length")
    c.call("Input.dispatchMouseEvent", type="mouseWheel", x=box[0] + box[2] / 2, y=box[1] + box[3] / 2,
           deltaX=0, deltaY=-480)
    c.wait("document.querySelector('[id^=nlmap] canvas').toDataURL().length !== %d" % before, seconds=10,
           what="the map to zoom")
    checks.append(("map zooms with the wheel", True))


TOUR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "notebooks", "00-tour.ipynb")
LIVE_CELL = 10  # the tour's LiveDisplay loop


def tour_check(c, checks, cells, prompts, image, run_all, save, saved_path):
    """Runs the tour: the live figure changes in place while the loop runs (one picture, several frames); then
    saves, and the saved notebook has every code cell run and no error output."""
    run_all()
    frames = set()
    n_code = sum(1 for cell in json.load(open(saved_path))["cells"] if cell["cell_type"] == "code")
    # every prompt settled and numbered (Shift+Enter on the last cell may add an empty one)
    finished = ("(function(){var p=Array.from(document.querySelectorAll(%s)).map(function(e){return e.textContent;});"
                "return p.every(function(t){return t.indexOf('*')<0;}) && p.filter(function(t){return /\\d/.test(t);})"
                ".length>=%d;})()" % (json.dumps(prompts), n_code))
    picture = ("(function(){var c=document.querySelectorAll(%s)[%d];var i=c&&c.querySelector(%s);"
               "return i?i.src.length+':'+i.src.slice(-40):null;})()" % (json.dumps(cells), LIVE_CELL, json.dumps(image)))
    c.wait("Array.from(document.querySelectorAll(%s)).some(function(e){return e.textContent.indexOf('*')>=0;})"
           % json.dumps(prompts), seconds=60, what="the tour to start running")
    deadline = time.time() + 180
    while not c.eval(finished):
        assert time.time() < deadline, "the tour did not finish in 180 s; prompts: %s" % c.eval(
            "Array.from(document.querySelectorAll(%s)).map(function(e){return e.textContent;})" % json.dumps(prompts))
        src = c.eval(picture)
        if src:
            frames.add(src)
        time.sleep(0.05)
    n_images = c.eval("document.querySelectorAll(%s)[%d].querySelectorAll(%s).length"
                      % (json.dumps(cells), LIVE_CELL, json.dumps(image)))
    assert n_images == 1, "the live cell shows %s pictures, not one updated in place: %s" % (n_images, c.eval(
        "(function(){var e=document.querySelectorAll(%s);return e.length+' cells; '+e[%d].textContent.slice(0,200);})()"
        % (json.dumps(cells), LIVE_CELL)))
    assert len(frames) >= 3, "the live figure showed %d frames" % len(frames)
    checks.append(("tour: live figure updated in place (frames seen)", len(frames)))
    save()
    deadline = time.time() + 30
    while True:
        saved = json.load(open(saved_path))
        code = [cell for cell in saved["cells"] if cell["cell_type"] == "code" and "".join(cell["source"]).strip()]
        if all(cell.get("execution_count") for cell in code):
            break
        assert time.time() < deadline, "the saved tour has cells that did not run"
        time.sleep(1)
    errors = [o.get("evalue") for cell in code for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, "the tour has error outputs: %s" % errors
    checks.append(("tour: every cell ran, saved without an error", len(code)))


def cell_centre(c, x, y):
    """The centre of painter grid cell (x, y) in the viewport, with the view scrolled to the middle first."""
    box = c.eval("(function(){var o=document.querySelector('.nlp-overlay');o.scrollIntoView({block:'center'});"
                 "var r=o.getBoundingClientRect();return [r.left,r.top,r.width,r.height];})()")
    return box[0] + (x + 0.5) * box[2] / GRID, box[1] + (y + 0.5) * box[3] / GRID


def drag_and_check(c, checks):
    """Green, then a drag from cell (2,3) to (5,7): the kernel's picture is green exactly along the stroke."""
    c.eval("var s=document.querySelector('.nlp select'); s.value='green'; s.dispatchEvent(new Event('change')); true")

    start = time.time()
    c.mouse("mouseMoved", *cell_centre(c, 2, 3))
    c.mouse("mousePressed", *cell_centre(c, 2, 3))
    for i in range(1, 9):
        c.mouse("mouseMoved", *cell_centre(c, 2 + 3 * i / 8, 3 + 4 * i / 8))
    c.mouse("mouseReleased", *cell_centre(c, 5, 7))
    c.wait("document.querySelector('.nlp-status').textContent.indexOf('Live: 1 stroke') === 0",
           what="the kernel's picture after one stroke")
    elapsed = (time.time() - start) * 1000
    src = c.eval("document.querySelector('.nlp-img').src")
    cells = cells_of(src.split(",", 1)[1])
    painted = {k for k, v in cells.items() if v == (0, 255, 0)}
    assert {(2, 3), (5, 7)} <= painted, painted
    assert all(v in ((0, 255, 0), (128, 128, 128)) for v in cells.values())
    checks.append(("cells painted by the drag", sorted(painted)))
    checks.append(("stroke, as the view reports it", c.eval("document.querySelector('.nlp-status').textContent")))
    checks.append(("stroke, release to picture seen by this test (ms, polled every 250 ms)", round(elapsed)))
    return src


def main_lab(out, frontend):
    """JupyterLab 4 ("lab") or Notebook 7 ("nb7"): the same painter, its comm lent by the neurolens-comms extension."""
    os.makedirs(out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="painter-" + frontend + "-")
    code = BACKEND + '\nPainter garden = Painter.builder(new CellColor()).name("garden").build();\ngarden'
    nb = {"cells": [{"cell_type": "code", "execution_count": None, "id": "c1", "metadata": {}, "outputs": [],
                     "source": code},
                    {"cell_type": "code", "execution_count": None, "id": "c2", "metadata": {}, "outputs": [],
                     "source": ""},
                    {"cell_type": "code", "execution_count": None, "id": "c3", "metadata": {}, "outputs": [],
                     "source": LOOP},
                    {"cell_type": "code", "execution_count": None, "id": "c4", "metadata": {}, "outputs": [],
                     "source": 'System.out.println("alive after the interrupt");'},
                    {"cell_type": "code", "execution_count": None, "id": "c5", "metadata": {}, "outputs": [],
                     "source": MAP}],
          "metadata": {"kernelspec": {"name": KERNEL, "display_name": "Java (Neurolens)", "language": "java"}},
          "nbformat": 4, "nbformat_minor": 5}
    path = os.path.join(work, "painter.ipynb")
    with open(path, "w") as f:
        json.dump(nb, f)
    port, dport = free_port(), free_port()
    profile = tempfile.mkdtemp(prefix="painter-chrome-")
    jupyter = os.environ.get("JUPYTER_BIN", "jupyter")
    app = "lab" if frontend == "lab" else "notebook"
    # every cell in the page (JupyterLab 4 leaves cells out of view out of it by default), and no news pop-up
    settings = os.path.join(work, ".settings")
    for plugin, value in (("notebook-extension/tracker", {"windowingMode": "none"}),
                          ("apputils-extension/notification", {"fetchNews": "false"})):
        os.makedirs(os.path.join(settings, "@jupyterlab", os.path.dirname(plugin)), exist_ok=True)
        with open(os.path.join(settings, "@jupyterlab", plugin + ".jupyterlab-settings"), "w") as f:
            json.dump(value, f)
    server = subprocess.Popen([jupyter, app, "--no-browser", "--ip=127.0.0.1", "--port=%d" % port,
                               "--ServerApp.token=", "--ServerApp.password=", "--allow-root",
                               "--ServerApp.root_dir=" + work],
                              env=dict(os.environ, JUPYTERLAB_SETTINGS_DIR=settings,
                                       JUPYTERLAB_WORKSPACES_DIR=os.path.join(work, ".workspaces")),
                              stdout=subprocess.DEVNULL, stderr=open(os.path.join(out, "server.log"), "w"))
    chrome = None
    checks = []
    try:
        wait_http("http://127.0.0.1:%d/api" % port)
        chrome, c = start_chrome(dport, profile, "1400,1100")
        url = ("/lab/tree/painter.ipynb" if frontend == "lab" else "/notebooks/painter.ipynb")
        c.call("Page.navigate", url="http://127.0.0.1:%d%s" % (port, url))
        c.wait("typeof window.neurolensKernelFor === 'function'", what="the neurolens-comms extension to load")
        c.wait("!!window.neurolensKernelFor(document.querySelector('.jp-Notebook'))", seconds=120,
               what="the notebook's kernel")
        checks.append(("extension loaded, kernel lent", True))
        c.eval("document.querySelectorAll('.jp-Cell .cm-content')[0].focus(); true")
        c.shift_enter()
        c.wait("(document.querySelector('.nlp-status')||{}).textContent.indexOf('Live:') === 0", seconds=120,
               what="the painter view to go live")
        checks.append(("view live", c.eval("document.querySelector('.nlp-status').textContent")))
        drag_and_check(c, checks)
        c.screenshot(os.path.join(out, "live.png"), ".nlp")
        # %paint in the second cell redraws the same view in place
        c.eval("document.querySelectorAll('.jp-Cell .cm-content')[1].focus(); true")
        c.call("Input.insertText", text="%paint garden --concept green --rect 0,0,1,1")
        c.shift_enter()
        c.wait("document.querySelector('.nlp-status').textContent.indexOf('Live: 2 strokes, changed in the kernel') === 0",
               what="the view updated in place by %paint")
        assert c.eval("document.querySelectorAll('.nlp').length") == 1, "%paint added a second view"
        src = c.eval("document.querySelector('.nlp-img').src")
        assert cells_of(src.split(",", 1)[1])[(0, 0)] == (0, 255, 0), "%paint's cell is not green"
        checks.append(("%paint updates the view in place", c.eval("document.querySelector('.nlp-status').textContent")))
        c.screenshot(os.path.join(out, "after-paint.png"), ".nlp")
        # save (Ctrl+S): the file holds the latest picture
        c.eval("document.querySelectorAll('.jp-Cell .cm-content')[1].focus(); true")
        c.key("s", "KeyS", 83, modifiers=2)
        deadline = time.time() + 20
        while True:
            saved = json.load(open(path))
            html = "".join(saved["cells"][0]["outputs"][0]["data"]["text/html"]) if saved["cells"][0]["outputs"] else ""
            if src.split(",", 1)[1] in html:
                break
            assert time.time() < deadline, "the saved notebook does not hold the latest picture"
            time.sleep(0.5)
        checks.append(("saved notebook holds the latest picture", True))
        # a busy loop, interrupted from the frontend (I, I in command mode): it must stop within 2 s
        prompt = "document.querySelectorAll('.jp-Cell')[%d].querySelector('.jp-InputPrompt').textContent"
        c.eval("document.querySelectorAll('.jp-Cell .cm-content')[2].focus(); true")
        c.shift_enter()
        c.wait((prompt % 2) + ".indexOf('*') >= 0", what="the loop to start")
        time.sleep(1.5)
        c.key("Escape", "Escape", 27)
        start = time.time()
        c.key("i", "KeyI", 73, text="i")
        c.key("i", "KeyI", 73, text="i")
        c.wait((prompt % 2) + ".indexOf('*') < 0", seconds=10, what="the loop to stop after the interrupt")
        stopped = time.time() - start
        assert stopped < 2.0, "the interrupt took %.1f s" % stopped
        checks.append(("interrupt stops a busy loop (s)", round(stopped, 2)))
        c.eval("document.querySelectorAll('.jp-Cell .cm-content')[3].focus(); true")
        c.shift_enter()
        c.wait("(document.querySelectorAll('.jp-Cell')[3].querySelector('.jp-OutputArea-output')||{textContent:''}).textContent.indexOf('alive after the interrupt') >= 0",
               what="the kernel to run a cell after the interrupt")
        checks.append(("kernel alive after the interrupt", True))
        c.screenshot(os.path.join(out, "notebook.png"), ".jp-Notebook")
        c.eval("document.querySelectorAll('.jp-Cell .cm-content')[4].focus(); true")
        c.shift_enter()
        map_check(c, checks)
        c.screenshot(os.path.join(out, "map.png"), "[id^=nlmap]")
        # the tour, opened fresh: run every cell (Ctrl+A, Shift+Enter), then save (Ctrl+S)
        shutil.copy(TOUR, os.path.join(work, "tour.ipynb"))
        c.key("s", "KeyS", 83, modifiers=2)  # saved, so leaving the page asks nothing
        time.sleep(2)
        c.call("Page.navigate", url="http://127.0.0.1:%d%s" % (port, url.replace("painter.ipynb", "tour.ipynb")))
        visible = "document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook')"
        deadline = time.time() + 120
        while not c.eval("!!%s && !!window.neurolensKernelFor && !!window.neurolensKernelFor(%s)" % (visible, visible)):
            # JupyterLab may ask which kernel to start; take the one it proposes (the notebook's own)
            c.eval("(function(){var b=document.querySelector('.jp-Dialog .jp-mod-accept');if(b){b.click();}return true;})()")
            assert time.time() < deadline, "the tour's kernel did not start"
            time.sleep(0.5)
        time.sleep(1)

        def click_text(selector, text):
            box = c.eval("(function(){var e=Array.from(document.querySelectorAll(%s)).find(function(e){return e.textContent"
                         "===%s;});if(!e)return null;var r=e.getBoundingClientRect();return [r.left+r.width/2,r.top+r.height/2];})()"
                         % (json.dumps(selector), json.dumps(text)))
            assert box, "no %s reading %s" % (selector, text)
            c.mouse("mouseMoved", *box)
            c.mouse("mousePressed", *box)
            c.mouse("mouseReleased", *box)

        def run_all():  # Run > Run All Cells, from the menu bar (the same in JupyterLab and Notebook 7)
            click_text(".lm-MenuBar-itemLabel", "Run")
            c.wait("!!Array.from(document.querySelectorAll('.lm-Menu-itemLabel')).find(e => e.textContent === 'Run All Cells')",
                   seconds=10, what="the Run menu")
            click_text(".lm-Menu-itemLabel", "Run All Cells")
        time.sleep(2)
        try:
            shown = ".jp-NotebookPanel:not(.lm-mod-hidden) "  # JupyterLab keeps the painter's tab open beside it
            tour_check(c, checks, shown + ".jp-Cell", shown + ".jp-CodeCell .jp-InputPrompt", "img", run_all,
                       lambda: c.key("s", "KeyS", 83, modifiers=2), os.path.join(work, "tour.ipynb"))
        except (AssertionError, RuntimeError):
            with open(os.path.join(out, "failure.png"), "wb") as f:
                f.write(base64.b64decode(c.call("Page.captureScreenshot", format="png")["data"]))
            raise
        c.screenshot(os.path.join(out, "tour-live.png"), ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell:nth-child(%d)"
                     % (LIVE_CELL + 1))
    finally:
        stop(chrome, server, profile)
    for name, value in checks:
        print("ok:", frontend, name, "-", value)


if __name__ == "__main__":
    where = sys.argv[1] if len(sys.argv) > 1 else "painter-browser"
    which = sys.argv[2] if len(sys.argv) > 2 else "classic"
    try:
        main(where, which)
    except Exception as e:  # one clear line for CI; the server's log stays in the output folder
        print("browser suite (%s): FAILED: %s: %s (server log: %s)" % (which, type(e).__name__, str(e).splitlines()[0] if str(e) else "",
              os.path.join(where, "server.log")))
        sys.exit(1)
