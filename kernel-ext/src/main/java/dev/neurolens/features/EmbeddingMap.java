package dev.neurolens.features;

import dev.neurolens.display.Displayable;
import dev.neurolens.display.Html;
import dev.neurolens.display.Images;
import dev.neurolens.display.MimeBundle;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A 2-D {@link Embedding} of a data set drawn three ways: pictures as thumbnails at their positions (where a
 * thumbnail would overlap one already placed it is skipped, so the map stays readable at any n), a scatter
 * coloured by class, and an interactive canvas view (pan with the mouse, zoom with the wheel, hover for the
 * picture and its label) that stays smooth at 70k points because points are written straight into pixels.
 * Immutable.
 */
public final class EmbeddingMap implements Displayable {
    /** Tableau's ten categorical colours, as matplotlib's tab10. */
    static final int[] PALETTE = {0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD, 0x8C564B, 0xE377C2, 0x7F7F7F,
        0xBCBD22, 0x17BECF};

    private final Embedding embedding;
    private final ImageSet data;
    private final String title;
    private final int size;
    private final int thumbnail;
    private final int interactiveThumbnails;

    private EmbeddingMap(Embedding embedding, ImageSet data, String title, int size, int thumbnail,
            int interactiveThumbnails) {
        this.embedding = embedding;
        this.data = data;
        this.title = title;
        this.size = size;
        this.thumbnail = thumbnail;
        this.interactiveThumbnails = interactiveThumbnails;
    }

    /** The embedding's point {@code i} is the picture {@code i} of {@code data} (the first n when longer). */
    public static EmbeddingMap of(Embedding embedding, ImageSet data) {
        if (data.size() < embedding.size()) {
            throw new IllegalArgumentException("the embedding has " + embedding.size() + " points but the data set "
                    + "only " + data.size() + " pictures");
        }
        return new EmbeddingMap(embedding, data, embedding.method() + " of " + embedding.size() + " pictures", 1000,
                22, 3000);
    }

    public EmbeddingMap title(String t) {
        return new EmbeddingMap(embedding, data, t, size, thumbnail, interactiveThumbnails);
    }

    /** Side of the square map in pixels (default 1000). */
    public EmbeddingMap size(int px) {
        return new EmbeddingMap(embedding, data, title, px, thumbnail, interactiveThumbnails);
    }

    /** Thumbnail side in the static map (default 22). */
    public EmbeddingMap thumbnail(int px) {
        return new EmbeddingMap(embedding, data, title, size, px, interactiveThumbnails);
    }

    /** How many pictures the interactive view embeds for hovering (default 3000, a random sample). */
    public EmbeddingMap interactiveThumbnails(int n) {
        return new EmbeddingMap(embedding, data, title, size, thumbnail, n);
    }

    public Embedding embedding() {
        return embedding;
    }

    /** Bounds that ignore the outer 0.5% of points on each side, so a few strays do not shrink the map. */
    private double[] bounds() {
        int n = embedding.size();
        double[] xs = new double[n];
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = embedding.x(i);
            ys[i] = embedding.y(i);
        }
        Arrays.sort(xs);
        Arrays.sort(ys);
        int lo = (int) (0.005 * (n - 1));
        int hi = (int) Math.ceil(0.995 * (n - 1));
        double pad = 0.03;
        double wx = xs[hi] - xs[lo];
        double wy = ys[hi] - ys[lo];
        double w = Math.max(Math.max(wx, wy), 1e-12);
        double cx = (xs[hi] + xs[lo]) / 2;
        double cy = (ys[hi] + ys[lo]) / 2;
        return new double[] {cx - w * (0.5 + pad), cy - w * (0.5 + pad), w * (1 + 2 * pad)};
    }

    private static int colour(int label) {
        return label < 0 ? 0x444444 : PALETTE[label % PALETTE.length];
    }

    /** Thumbnails tinted with their class colour, placed without overlap over faint dots for every point. */
    public BufferedImage thumbnails() {
        int n = embedding.size();
        double[] b = bounds();
        int legend = legendHeight();
        BufferedImage out = new BufferedImage(size, size + 30 + legend, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(out);
        try {
            int[] px = out.getRGB(0, 0, size, out.getHeight(), null, 0, size);
            for (int i = 0; i < n; i++) {
                int x = (int) ((embedding.x(i) - b[0]) / b[2] * size);
                int y = 30 + (int) ((embedding.y(i) - b[1]) / b[2] * size);
                if (x >= 0 && x < size && y >= 30 && y < 30 + size) {
                    px[y * size + x] = blend(px[y * size + x], colour(data.label(i)), 0.5);
                }
            }
            out.setRGB(0, 0, size, out.getHeight(), px, 0, size);
            int cells = Math.max(1, size / thumbnail);
            boolean[] taken = new boolean[cells * cells];
            Integer[] order = shuffled(n, 1);
            for (int i : order) {
                int x = (int) ((embedding.x(i) - b[0]) / b[2] * size);
                int y = (int) ((embedding.y(i) - b[1]) / b[2] * size);
                int cx = x / thumbnail;
                int cy = y / thumbnail;
                if (x < 0 || y < 0 || cx >= cells || cy >= cells || taken[cy * cells + cx]) {
                    continue;
                }
                taken[cy * cells + cx] = true;
                g.drawImage(tinted(data.image(i), colour(data.label(i)), thumbnail), cx * thumbnail,
                        30 + cy * thumbnail, null);
            }
            header(g, title + " (thumbnails)");
            legend(g, size + 30);
        } finally {
            g.dispose();
        }
        return out;
    }

    /** Every point as a dot in its class colour. */
    public BufferedImage scatter() {
        int n = embedding.size();
        double[] b = bounds();
        int legend = legendHeight();
        BufferedImage out = new BufferedImage(size, size + 30 + legend, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(out);
        try {
            int[] px = out.getRGB(0, 0, size, out.getHeight(), null, 0, size);
            // dots are blended, so dense regions saturate to the class colour while sparse ones stay visible
            double alpha = n > 40000 ? 0.3 : n > 20000 ? 0.45 : n > 5000 ? 0.6 : 0.85;
            int r = 2;
            for (int i : shuffled(n, 2)) {
                int x = (int) ((embedding.x(i) - b[0]) / b[2] * size);
                int y = 30 + (int) ((embedding.y(i) - b[1]) / b[2] * size);
                int c = colour(data.label(i));
                for (int dy = 0; dy < r; dy++) {
                    for (int dx = 0; dx < r; dx++) {
                        int xx = x + dx;
                        int yy = y + dy;
                        if (xx >= 0 && xx < size && yy >= 30 && yy < 30 + size) {
                            px[yy * size + xx] = blend(px[yy * size + xx], c, alpha);
                        }
                    }
                }
            }
            out.setRGB(0, 0, size, out.getHeight(), px, 0, size);
            header(g, title);
            legend(g, size + 30);
        } finally {
            g.dispose();
        }
        return out;
    }

    private Integer[] shuffled(int n, long seed) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        java.util.Collections.shuffle(Arrays.asList(order), new Random(seed));
        return order;
    }

    private Graphics2D canvas(BufferedImage out) {
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, out.getWidth(), out.getHeight());
        return g;
    }

    private void header(Graphics2D g, String text) {
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(text, 8, 20);
    }

    private int legendHeight() {
        return data.labelNames().isEmpty() ? 0 : 24 * (1 + (data.labelNames().size() - 1) / 5) + 6;
    }

    private void legend(Graphics2D g, int top) {
        List<String> names = data.labelNames();
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int col = size / 5;
        for (int i = 0; i < names.size(); i++) {
            int x = 10 + (i % 5) * col;
            int y = top + 6 + 24 * (i / 5);
            g.setColor(new Color(colour(i)));
            g.fillRect(x, y + 3, 14, 14);
            g.setColor(Color.DARK_GRAY);
            g.drawString(names.get(i), x + 20, y + 15);
        }
    }

    /** Dark pixels of the picture become the class colour on white (Fashion-MNIST is light-on-black). */
    private static BufferedImage tinted(BufferedImage img, int rgb, int side) {
        BufferedImage small = Images.resize(img, side, side, true);
        BufferedImage out = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                int p = small.getRGB(x, y);
                double v = (((p >> 16) & 255) * 0.299 + ((p >> 8) & 255) * 0.587 + (p & 255) * 0.114) / 255.0;
                out.setRGB(x, y, blend(0xFFFFFF, darker(rgb), Math.min(1, v * 1.2)));
            }
        }
        return out;
    }

    private static int darker(int rgb) {
        return (int) (((rgb >> 16) & 255) * 0.8) << 16 | (int) (((rgb >> 8) & 255) * 0.8) << 8 | (int) ((rgb & 255) * 0.8);
    }

    private static int blend(int base, int over, double a) {
        int r = (int) Math.round(((base >> 16) & 0xFF) * (1 - a) + ((over >> 16) & 0xFF) * a);
        int g = (int) Math.round(((base >> 8) & 0xFF) * (1 - a) + ((over >> 8) & 0xFF) * a);
        int b = (int) Math.round((base & 0xFF) * (1 - a) + (over & 0xFF) * a);
        return r << 16 | g << 8 | b;
    }

    /** Self-contained HTML + JS: a canvas with every point, pan/zoom, and the picture and label on hover. */
    public Html interactive() {
        int n = embedding.size();
        double[] b = bounds();
        ByteBuffer pos = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            double x = Math.max(0, Math.min(1, (embedding.x(i) - b[0]) / b[2]));
            double y = Math.max(0, Math.min(1, (embedding.y(i) - b[1]) / b[2]));
            pos.putShort((short) Math.round(x * 65535));
            pos.putShort((short) Math.round(y * 65535));
            labels[i] = (byte) Math.max(0, data.label(i));
        }
        int m = Math.min(n, interactiveThumbnails);
        Integer[] order = shuffled(n, 3);
        int[] thumbIds = new int[m];
        for (int i = 0; i < m; i++) {
            thumbIds[i] = order[i];
        }
        Arrays.sort(thumbIds);
        int side = 28;
        int cols = 64;
        int rows = Math.max(1, (m + cols - 1) / cols);
        BufferedImage atlas = new BufferedImage(cols * side, rows * side, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = atlas.createGraphics();
        ByteBuffer ids = ByteBuffer.allocate(4 * m).order(ByteOrder.LITTLE_ENDIAN);
        try {
            for (int t = 0; t < m; t++) {
                BufferedImage im = data.image(thumbIds[t]);
                if (im.getWidth() != side || im.getHeight() != side) {
                    im = Images.resize(im, side, side, true);
                }
                g.drawImage(im, (t % cols) * side, (t / cols) * side, null);
                ids.putInt(thumbIds[t]);
            }
        } finally {
            g.dispose();
        }
        Base64.Encoder enc = Base64.getEncoder();
        StringBuilder names = new StringBuilder("[");
        for (String s : data.labelNames()) {
            names.append(names.length() > 1 ? "," : "").append('"').append(s.replace("\"", "'")).append('"');
        }
        names.append(']');
        StringBuilder colours = new StringBuilder("[");
        for (int i = 0; i < PALETTE.length; i++) {
            colours.append(i > 0 ? "," : "").append(PALETTE[i]);
        }
        colours.append(']');
        String id = "nlmap" + Integer.toHexString(Arrays.hashCode(pos.array()) ^ 31 * m);
        String html = TEMPLATE.replace("%ID%", id).replace("%TITLE%", Html.escape(title))
                .replace("%POS%", enc.encodeToString(pos.array())).replace("%LAB%", enc.encodeToString(labels))
                .replace("%TIDS%", enc.encodeToString(ids.array()))
                .replace("%ATLAS%", enc.encodeToString(Images.toPng(atlas))).replace("%COLS%", String.valueOf(cols))
                .replace("%NAMES%", names.toString()).replace("%COLOURS%", colours.toString())
                .replace("%N%", String.valueOf(n)).replace("%M%", String.valueOf(m));
        return Html.of(html);
    }

    private static final String TEMPLATE = """
            <div id="%ID%" style="font:13px sans-serif;position:relative;width:860px">
            <div style="font-weight:bold;margin:4px 0">%TITLE% &middot; %N% points, drag to pan, wheel to zoom, \
            double-click to reset, hover for the picture (%M% embedded)</div>
            <canvas style="width:860px;height:640px;border:1px solid #ccc;cursor:crosshair"></canvas>
            <div class="lg" style="margin:4px 0"></div>
            <div class="tip" style="position:absolute;display:none;pointer-events:none;background:#fff;\
            border:1px solid #888;padding:4px;box-shadow:2px 2px 6px rgba(0,0,0,.3)"><canvas width="84" height="84" \
            style="display:block"></canvas><div class="tt"></div></div>
            <script>
            (function(){
            var root=document.getElementById("%ID%");var cv=root.querySelector("canvas");var tip=root.querySelector(".tip");
            var tcv=tip.querySelector("canvas");var tt=tip.querySelector(".tt");
            function b64(s){var b=atob(s),u=new Uint8Array(b.length);for(var i=0;i<b.length;i++)u[i]=b.charCodeAt(i);return u.buffer;}
            var P=new Uint16Array(b64("%POS%")),L=new Uint8Array(b64("%LAB%")),T=new Uint32Array(b64("%TIDS%"));
            var NAMES=%NAMES%,COL=%COLOURS%,n=L.length,ACOLS=%COLS%;
            var thumb=new Map();for(var t=0;t<T.length;t++)thumb.set(T[t],t);
            var atlas=new Image();atlas.src="data:image/png;base64,%ATLAS%";
            var dpr=window.devicePixelRatio||1,W=860,H=640;cv.width=W*dpr;cv.height=H*dpr;var ctx=cv.getContext("2d");
            var X=new Float32Array(n),Y=new Float32Array(n);for(var i=0;i<n;i++){X[i]=P[2*i]/65535;Y[i]=P[2*i+1]/65535;}
            var ABGR=COL.map(function(c){return (255<<24)|((c&255)<<16)|(c&0xff00)|((c>>16)&255);});
            var G=128,cnt=new Int32Array(G*G+1),idx=new Int32Array(n);
            function cell(i){return Math.min(G-1,Math.floor(Y[i]*G))*G+Math.min(G-1,Math.floor(X[i]*G));}
            for(var i=0;i<n;i++)cnt[cell(i)+1]++;for(var c=0;c<G*G;c++)cnt[c+1]+=cnt[c];
            var fill=cnt.slice(0);for(var i=0;i<n;i++)idx[fill[cell(i)]++]=i;
            var s,ox,oy;function reset(){s=Math.min(W,H)*0.96;ox=(W-s)/2;oy=(H-s)/2;}reset();
            var hover=-1,queued=false;
            function draw(){queued=false;var w=cv.width,h=cv.height;var img=ctx.createImageData(w,h);var buf=new Uint32Array(img.data.buffer);
            buf.fill(0xffffffff);var r=Math.max(1,Math.round(dpr*(s>3000?3:2)));
            for(var i=0;i<n;i++){var x=Math.round((X[i]*s+ox)*dpr),y=Math.round((Y[i]*s+oy)*dpr);if(x<0||y<0||x>=w-r||y>=h-r)continue;
            var c=ABGR[L[i]%10];for(var dy=0;dy<r;dy++){var o=(y+dy)*w+x;for(var dx=0;dx<r;dx++)buf[o+dx]=c;}}
            ctx.putImageData(img,0,0);
            if(hover>=0){ctx.beginPath();ctx.arc((X[hover]*s+ox)*dpr,(Y[hover]*s+oy)*dpr,6*dpr,0,7);ctx.lineWidth=2*dpr;ctx.strokeStyle="#000";ctx.stroke();}}
            function redraw(){if(!queued){queued=true;requestAnimationFrame(draw);}}
            function nearest(mx,my){var dx0=(mx-ox)/s,dy0=(my-oy)/s,rad=8/s,best=-1,bd=rad*rad;
            var c0=Math.max(0,Math.floor((dx0-rad)*G)),c1=Math.min(G-1,Math.floor((dx0+rad)*G));
            var r0=Math.max(0,Math.floor((dy0-rad)*G)),r1=Math.min(G-1,Math.floor((dy0+rad)*G));
            for(var r=r0;r<=r1;r++)for(var c=c0;c<=c1;c++){var k=r*G+c;for(var j=cnt[k];j<cnt[k+1];j++){var i=idx[j];
            var ex=X[i]-dx0,ey=Y[i]-dy0,d=ex*ex+ey*ey;if(d<bd||(d==bd&&thumb.has(i))){bd=d;best=i;}}}return best;}
            var drag=null;
            cv.addEventListener("mousedown",function(e){drag=[e.offsetX,e.offsetY];});
            window.addEventListener("mouseup",function(){drag=null;});
            cv.addEventListener("mousemove",function(e){var mx=e.offsetX,my=e.offsetY;
            if(drag){ox+=mx-drag[0];oy+=my-drag[1];drag=[mx,my];tip.style.display="none";redraw();return;}
            var h=nearest(mx,my);if(h!=hover){hover=h;redraw();}
            if(h<0){tip.style.display="none";return;}
            var tc=tcv.getContext("2d");tc.imageSmoothingEnabled=false;tc.fillStyle="#eee";tc.fillRect(0,0,84,84);
            var t=thumb.get(h);if(t!==undefined&&atlas.complete){tc.drawImage(atlas,(t%ACOLS)*28,Math.floor(t/ACOLS)*28,28,28,0,0,84,84);}
            else{tc.fillStyle="#888";tc.font="11px sans-serif";tc.fillText("not embedded",6,45);}
            tt.textContent="#"+h+" "+(NAMES[L[h]]||"");tt.style.color="#"+("00000"+COL[L[h]%10].toString(16)).slice(-6);
            tip.style.display="block";tip.style.left=(mx+16)+"px";tip.style.top=(my+40)+"px";});
            cv.addEventListener("mouseleave",function(){tip.style.display="none";hover=-1;redraw();});
            cv.addEventListener("wheel",function(e){e.preventDefault();var f=Math.pow(1.2,-e.deltaY/100);var mx=e.offsetX,my=e.offsetY;
            ox=mx-(mx-ox)*f;oy=my-(my-oy)*f;s*=f;redraw();},{passive:false});
            cv.addEventListener("dblclick",function(){reset();redraw();});
            var lg=root.querySelector(".lg");NAMES.forEach(function(nm,i){var sp=document.createElement("span");
            sp.style.marginRight="14px";sp.innerHTML="<span style='display:inline-block;width:11px;height:11px;margin-right:4px;background:#"
            +("00000"+COL[i%10].toString(16)).slice(-6)+"'></span>"+nm;lg.appendChild(sp);});
            draw();
            })();
            </script></div>
            """;

    @Override
    public MimeBundle mimeBundle() {
        return MimeBundle.png(Images.toPng(thumbnails()), toString());
    }

    @Override
    public String toString() {
        return "EmbeddingMap[" + embedding + ", " + data.name() + "]";
    }
}
