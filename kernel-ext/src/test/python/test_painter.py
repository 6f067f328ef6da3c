"""The painter's kernel<->browser channel, driven the way the notebook's JavaScript drives it: a cell creates a
Painter over a backend that colours painted grid cells, then a client opens a comm to neurolens.painter, sends
strokes, and checks the PNG that comes back changed exactly at the painted cells; bad messages and a failing
backend are answered with an error and the kernel keeps serving.

Run: /usr/bin/python3 -m unittest kernel-ext/src/test/python/test_painter.py  (after the kernelspec is installed)
"""
import base64
import json
import os
import re
import struct
import time
import unittest
import uuid
import zlib

from jupyter_client.manager import start_new_kernel

KERNEL = os.environ.get("NEUROLENS_KERNEL", "neurolens")
GRID, CELL = 8, 8

BACKEND = """
class CellColor implements Painter.Backend {
    public List<String> concepts() { return List.of("red", "green", "boom"); }
    public int gridWidth() { return %d; }
    public int gridHeight() { return %d; }
    public BufferedImage render(PaintState s) {
        if (s.concepts().contains("boom")) throw new IllegalStateException("boom painted");
        BufferedImage img = new BufferedImage(%d, %d, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < gridHeight(); y++) for (int x = 0; x < gridWidth(); x++) {
            PaintState.Mode r = s.cell("red", x, y), g = s.cell("green", x, y);
            int rgb = 0x808080;
            if (r == PaintState.Mode.PAINT) rgb = 0xff0000;
            if (g == PaintState.Mode.PAINT) rgb = 0x00ff00;
            if (r == PaintState.Mode.REMOVE || g == PaintState.Mode.REMOVE) rgb = 0x000000;
            for (int py = 0; py < %d; py++) for (int px = 0; px < %d; px++) img.setRGB(x * %d + px, y * %d + py, rgb);
        }
        return img;
    }
}
""" % (GRID, GRID, GRID * CELL, GRID * CELL, CELL, CELL, CELL, CELL)


def decode_png(data):
    """RGB(A) 8-bit, non-interlaced PNG to rows of (r, g, b) tuples: enough for what ImageIO writes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and interlace == 0, (depth, ctype, interlace)
            channels = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride, rows, prev = zlib.decompress(idat), width * channels, [], bytearray(width * channels)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * channels:x * channels + 3]) for x in range(width)])
        prev = line
    return rows


def cells_of(png_b64):
    rows = decode_png(base64.b64decode(png_b64))
    return {(x, y): rows[y * CELL + CELL // 2][x * CELL + CELL // 2] for y in range(GRID) for x in range(GRID)}


def rect_mask(x0, y0, x1, y1):
    return "".join("1" if x0 <= x <= x1 and y0 <= y <= y1 else "0" for y in range(GRID) for x in range(GRID))


class PainterComm(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name=KERNEL, startup_timeout=120)

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=True)

    # --- plumbing -------------------------------------------------------------------------------

    def execute(self, code, timeout=60):
        msg_id = self.kc.execute(code)
        reply = self.shell_reply(msg_id, timeout)
        return reply["content"], self.iopub_until_idle(msg_id, timeout)

    def shell_reply(self, msg_id, timeout=30):
        while True:
            m = self.kc.get_shell_msg(timeout=timeout)
            if m["parent_header"].get("msg_id") == msg_id:
                return m

    def iopub_until_idle(self, msg_id, timeout=30):
        out, deadline = [], time.time() + timeout
        while True:
            m = self.kc.get_iopub_msg(timeout=max(0.1, deadline - time.time()))
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                return out
            out.append(m)

    def send(self, msg_type, content):
        msg = self.kc.session.msg(msg_type, content)
        self.kc.shell_channel.send(msg)
        return msg["header"]["msg_id"]

    def comm_open(self, data, target="neurolens.painter"):
        comm_id = uuid.uuid4().hex
        msg_id = self.send("comm_open", {"comm_id": comm_id, "target_name": target, "data": data})
        return comm_id, self.iopub_until_idle(msg_id)

    def comm_send(self, comm_id, data, timeout=30):
        msg_id = self.send("comm_msg", {"comm_id": comm_id, "data": data})
        return self.iopub_until_idle(msg_id, timeout)

    @staticmethod
    def replies(msgs):
        return [m["content"]["data"] for m in msgs if m["msg_type"] == "comm_msg"]

    def new_painter(self, name):
        content, outputs = self.execute(BACKEND + '\nPainter %s = Painter.builder(new CellColor()).name("%s").build();\n%s'
                                        % (name, name, name))
        self.assertEqual(content["status"], "ok", content)
        # a view that will be updated goes out as display_data with its display id (Lab updates only those)
        self.assertEqual([m for m in outputs if m["msg_type"] == "execute_result"], [])
        result = [m for m in outputs if m["msg_type"] == "display_data"
                  and m["content"].get("transient", {}).get("display_id")][0]["content"]
        painter_id = re.search(r'"id":"([0-9a-f-]{36})"', result["data"]["text/html"]).group(1)
        return painter_id, result

    # --- tests ----------------------------------------------------------------------------------

    def test_paint_over_a_comm_changes_exactly_the_painted_cells_and_updates_the_output(self):
        painter_id, result = self.new_painter("garden")
        display_id = result["transient"]["display_id"]
        self.assertIn("image/png", result["data"])  # the static picture for nbconvert and other front ends
        self.assertIn("NeurolensPainter.mount(", result["data"]["text/html"])

        comm_id, opened = self.comm_open({"painter": painter_id})
        self.assertEqual([m["msg_type"] for m in opened if m["msg_type"].startswith("comm")], [])  # accepted quietly
        hello = self.replies(self.comm_send(comm_id, {"action": "hello", "seq": 1}))
        self.assertEqual(hello[0]["type"], "image", hello)
        before = cells_of(hello[0]["png"])
        self.assertEqual(set(before.values()), {(128, 128, 128)})

        state = {"grid": [GRID, GRID], "strokes": [{"concept": "red", "mode": "paint", "cells": rect_mask(2, 3, 5, 7)}]}
        msgs = self.comm_send(comm_id, {"action": "paint", "seq": 2, "state": state})
        kinds = [m["msg_type"] for m in msgs]
        self.assertEqual(kinds[0], "status")  # busy
        self.assertLess(kinds.index("comm_msg"), kinds.index("update_display_data"), "the view hears the reply first")
        reply = self.replies(msgs)[0]
        self.assertEqual((reply["type"], reply["seq"], reply["rev"]), ("image", 2, 1))
        after = cells_of(reply["png"])
        changed = {c for c in before if before[c] != after[c]}
        self.assertEqual(changed, {(x, y) for x in range(2, 6) for y in range(3, 8)})
        self.assertEqual({after[c] for c in changed}, {(255, 0, 0)})

        # the output is redrawn under its display id with the new picture: that is what a saved notebook keeps
        update = [m for m in msgs if m["msg_type"] == "update_display_data"][0]["content"]
        self.assertEqual(update["transient"]["display_id"], display_id)
        self.assertIn(reply["png"], update["data"]["text/html"])
        self.assertIn("image/png", update["data"])

        # remove on part of it, then undo (the browser sends the whole stroke list each time)
        state["strokes"].append({"concept": "red", "mode": "remove", "cells": rect_mask(5, 7, 5, 7)})
        r = self.replies(self.comm_send(comm_id, {"action": "paint", "seq": 3, "state": state}))[0]
        self.assertEqual(cells_of(r["png"])[(5, 7)], (0, 0, 0))
        self.assertEqual(cells_of(r["png"])[(4, 7)], (255, 0, 0))
        state["strokes"].pop()
        r = self.replies(self.comm_send(comm_id, {"action": "paint", "seq": 4, "state": state}))[0]
        self.assertEqual(cells_of(r["png"]), after)

        # the kernel-side object followed the browser, and %paint works on it by name
        content, outputs = self.execute("garden.state().strokes().size()")
        self.assertEqual([m["content"]["data"]["text/plain"] for m in outputs if m["msg_type"] == "execute_result"], ["1"])
        content, outputs = self.execute("%paint garden --concept green --rect 0,0,0,0")
        self.assertEqual(content["status"], "ok", content)
        kinds = [m["msg_type"] for m in outputs]
        self.assertIn("update_display_data", kinds)  # the live view follows the magic too
        hello = self.replies(self.comm_send(comm_id, {"action": "hello", "seq": 5}))[0]
        self.assertEqual(cells_of(hello["png"])[(0, 0)], (0, 255, 0))
        self.assertEqual(hello["rev"], 4)

    def test_bad_messages_and_a_failing_backend_get_an_error_and_the_kernel_keeps_answering(self):
        painter_id, _ = self.new_painter("broken")
        comm_id, _ = self.comm_open({"painter": painter_id})
        bad = [
            ({"action": "paint", "seq": 1, "state": {"strokes": "x"}}, "must be a list"),
            ({"action": "paint", "seq": 2, "state": {"strokes": [{"concept": "sky", "mode": "paint",
                                                                  "cells": rect_mask(0, 0, 0, 0)}]}}, "unknown concept"),
            ({"action": "scribble"}, "unknown action"),
            ({"action": "paint", "seq": 3, "state": {"strokes": [{"concept": "boom", "mode": "paint",
                                                                  "cells": rect_mask(0, 0, 1, 1)}]}}, "boom painted"),
        ]
        for data, words in bad:
            replies = self.replies(self.comm_send(comm_id, data))
            self.assertEqual(replies[0]["type"], "error", replies)
            self.assertIn(words, replies[0]["message"])
            self.assertEqual(replies[0]["state"]["strokes"], [])  # nothing was applied
        content, outputs = self.execute("1 + 1")
        self.assertEqual(content["status"], "ok")
        good = {"grid": [GRID, GRID], "strokes": [{"concept": "green", "mode": "paint", "cells": rect_mask(1, 1, 1, 1)}]}
        r = self.replies(self.comm_send(comm_id, {"action": "paint", "seq": 9, "state": good}))[0]
        self.assertEqual(r["type"], "image")
        self.assertEqual(cells_of(r["png"])[(1, 1)], (0, 255, 0))

    def test_unknown_painter_and_unknown_target_are_refused(self):
        comm_id, msgs = self.comm_open({"painter": "00000000-0000-0000-0000-000000000000"})
        self.assertIn("run its cell again", self.replies(msgs)[0]["message"])
        self.assertIn("comm_close", [m["msg_type"] for m in msgs])
        comm_id, msgs = self.comm_open({}, target="no.such.target")
        self.assertEqual([m["msg_type"] for m in msgs if m["msg_type"].startswith("comm")], ["comm_close"])
        # a message to a comm the kernel does not know (a view left open across a restart) is told so and closed
        msgs = self.comm_send(comm_id, {"action": "hello"})
        self.assertIn("run its cell again", self.replies(msgs)[0]["message"])
        self.assertIn("comm_close", [m["msg_type"] for m in msgs])
        content, _ = self.execute("2 + 2")
        self.assertEqual(content["status"], "ok")

    def test_comm_info_lists_open_painter_comms(self):
        painter_id, _ = self.new_painter("listed")
        comm_id, _ = self.comm_open({"painter": painter_id})
        msg_id = self.send("comm_info_request", {"target_name": "neurolens.painter"})
        comms = self.shell_reply(msg_id)["content"]["comms"]
        self.assertEqual(comms[comm_id]["target_name"], "neurolens.painter")
        self.send("comm_close", {"comm_id": comm_id, "data": {}})
        msg_id = self.send("comm_info_request", {"target_name": "neurolens.painter"})
        self.assertNotIn(comm_id, self.shell_reply(msg_id)["content"]["comms"])

    def test_a_paint_request_during_a_running_cell_waits_for_it(self):
        painter_id, _ = self.new_painter("patient")
        comm_id, _ = self.comm_open({"painter": painter_id})
        t0 = time.time()
        exec_id = self.kc.execute("Thread.sleep(1500);")
        time.sleep(0.2)
        state = {"grid": [GRID, GRID], "strokes": [{"concept": "red", "mode": "paint", "cells": rect_mask(0, 0, 0, 0)}]}
        paint_id = self.send("comm_msg", {"comm_id": comm_id, "data": {"action": "paint", "seq": 1, "state": state}})
        self.assertEqual(self.shell_reply(exec_id)["content"]["status"], "ok")
        msgs = self.iopub_until_idle(paint_id, timeout=30)
        reply = self.replies(msgs)[0]
        self.assertEqual(reply["type"], "image")
        self.assertGreater(time.time() - t0, 1.4)  # answered after the cell, not during it
        self.assertEqual(cells_of(reply["png"])[(0, 0)], (255, 0, 0))


if __name__ == "__main__":
    unittest.main()
