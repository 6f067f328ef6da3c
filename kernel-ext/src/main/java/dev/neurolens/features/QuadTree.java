package dev.neurolens.features;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * A point-region quadtree over the current embedding, in flat arrays. Leaves hold a chain of the points
 * that fell in them (more than one only for coincident points at the depth limit).
 */
final class QuadTree {
    private static final int MAX_DEPTH = 48;
    private double[] cx;
    private double[] cy;
    private double[] half;
    private double[] comX;
    private double[] comY;
    private int[] count;
    private int[] child; // 4 per node, 0 = none (node 0 is the root, never a child)
    private int[] first; // first point of a leaf, -1 otherwise
    private final int[] next; // next point in the same leaf
    private int nodes;

    QuadTree(double[] y) {
        int n = y.length / 2;
        int cap = Math.max(16, 2 * n);
        cx = new double[cap];
        cy = new double[cap];
        half = new double[cap];
        comX = new double[cap];
        comY = new double[cap];
        count = new int[cap];
        child = new int[4 * cap];
        first = new int[cap];
        next = new int[n];
        yRef = y;
        double minX = Double.POSITIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            minX = Math.min(minX, y[2 * i]);
            maxX = Math.max(maxX, y[2 * i]);
            minY = Math.min(minY, y[2 * i + 1]);
            maxY = Math.max(maxY, y[2 * i + 1]);
        }
        double h = Math.max(maxX - minX, maxY - minY) / 2 * (1 + 1e-9) + 1e-12;
        newNode((minX + maxX) / 2, (minY + maxY) / 2, h);
        for (int i = 0; i < n; i++) {
            insert(i, y[2 * i], y[2 * i + 1]);
        }
    }

    private int newNode(double x, double yy, double h) {
        if (nodes == cx.length) {
            int cap = nodes * 2;
            cx = Arrays.copyOf(cx, cap);
            cy = Arrays.copyOf(cy, cap);
            half = Arrays.copyOf(half, cap);
            comX = Arrays.copyOf(comX, cap);
            comY = Arrays.copyOf(comY, cap);
            count = Arrays.copyOf(count, cap);
            child = Arrays.copyOf(child, 4 * cap);
            first = Arrays.copyOf(first, cap);
        }
        int id = nodes++;
        cx[id] = x;
        cy[id] = yy;
        half[id] = h;
        first[id] = -1;
        return id;
    }

    private void insert(int i, double px, double py) {
        int node = 0;
        for (int depth = 0; ; depth++) {
            // running centre of mass
            int c = count[node];
            comX[node] = (comX[node] * c + px) / (c + 1);
            comY[node] = (comY[node] * c + py) / (c + 1);
            count[node] = c + 1;
            boolean leaf = child[4 * node] == 0 && child[4 * node + 1] == 0 && child[4 * node + 2] == 0
                    && child[4 * node + 3] == 0;
            if (leaf) {
                if (c == 0 || depth >= MAX_DEPTH) {
                    next[i] = first[node];
                    first[node] = i;
                    return;
                }
                // split: push the resident point(s) one level down, then continue with i
                int resident = first[node];
                first[node] = -1;
                int q = quadrant(node, comXOf(resident), comYOf(resident));
                int ch = makeChild(node, q);
                for (int r = resident; r >= 0; ) {
                    int nx = next[r];
                    addResident(ch, r);
                    r = nx;
                }
            }
            int q = quadrant(node, px, py);
            int ch = child[4 * node + q];
            if (ch == 0) {
                ch = makeChild(node, q);
            }
            node = ch;
        }
    }

    // the coordinates of resident points are kept by the caller; record them while splitting
    private double[] yRef;

    private double comXOf(int r) {
        return yRef[2 * r];
    }

    private double comYOf(int r) {
        return yRef[2 * r + 1];
    }

    private void addResident(int node, int r) {
        int c = count[node];
        comX[node] = (comX[node] * c + yRef[2 * r]) / (c + 1);
        comY[node] = (comY[node] * c + yRef[2 * r + 1]) / (c + 1);
        count[node] = c + 1;
        next[r] = first[node];
        first[node] = r;
    }

    private int quadrant(int node, double px, double py) {
        return (px >= cx[node] ? 1 : 0) + (py >= cy[node] ? 2 : 0);
    }

    private int makeChild(int node, int q) {
        double h = half[node] / 2;
        int id = newNode(cx[node] + ((q & 1) != 0 ? h : -h), cy[node] + ((q & 2) != 0 ? h : -h), h);
        child[4 * node + q] = id;
        return id;
    }

    /**
     * Points in depth-first leaf order: neighbours in the plane are neighbours in the order, so the
     * traversals of consecutive points (and of one thread's chunk) touch the same nodes.
     */
    private int[] spatialOrder(int n) {
        int[] order = new int[n];
        int m = 0;
        int[] stack = new int[4 * MAX_DEPTH + 8];
        int sp = 0;
        stack[sp++] = 0;
        while (sp > 0) {
            int node = stack[--sp];
            if (first[node] >= 0) {
                for (int j = first[node]; j >= 0; j = next[j]) {
                    order[m++] = j;
                }
                continue;
            }
            for (int q = 3; q >= 0; q--) {
                int ch = child[4 * node + q];
                if (ch != 0) {
                    stack[sp++] = ch;
                }
            }
        }
        return order;
    }

    /** Barnes-Hut sum_j w^2 (y_i - y_j) into rep; returns Z. */
    double repulsion(double[] y, double theta, double[] rep) {
        int n = y.length / 2;
        double theta2 = theta * theta;
        // pack what the traversal reads into one array per type, node by node, for cache locality
        double[] geo = new double[3 * nodes];
        int[] info = new int[2 * nodes];
        for (int v = 0; v < nodes; v++) {
            geo[3 * v] = comX[v];
            geo[3 * v + 1] = comY[v];
            double w = 2 * half[v];
            geo[3 * v + 2] = w * w;
            info[2 * v] = count[v];
            info[2 * v + 1] = first[v];
        }
        int[] order = spatialOrder(n);
        double[] zPart = new double[n];
        // chunks of consecutive points share one traversal stack: a stack per point was most of the garbage
        int chunk = 256;
        IntStream.range(0, (n + chunk - 1) / chunk).parallel().forEach(c -> {
            int[] stack = new int[4 * MAX_DEPTH + 8];
            for (int t = c * chunk, end = Math.min(n, t + chunk); t < end; t++) {
                int i = order[t];
                int sp = 0;
                stack[sp++] = 0;
                double px = y[2 * i];
                double py = y[2 * i + 1];
                double fx = 0;
                double fy = 0;
                double z = 0;
                while (sp > 0) {
                    int node = stack[--sp];
                    int cnt = info[2 * node];
                    if (cnt == 0) {
                        continue;
                    }
                    int leaf = info[2 * node + 1];
                    if (leaf >= 0) {
                        for (int j = leaf; j >= 0; j = next[j]) {
                            if (j == i) {
                                continue;
                            }
                            double dx = px - y[2 * j];
                            double dy = py - y[2 * j + 1];
                            double w = 1 / (1 + dx * dx + dy * dy);
                            z += w;
                            fx += w * w * dx;
                            fy += w * w * dy;
                        }
                        continue;
                    }
                    double dx = px - geo[3 * node];
                    double dy = py - geo[3 * node + 1];
                    double d2 = dx * dx + dy * dy;
                    if (geo[3 * node + 2] < theta2 * d2) {
                        double w = 1 / (1 + d2);
                        double m = cnt * w;
                        z += m;
                        m *= w;
                        fx += m * dx;
                        fy += m * dy;
                    } else {
                        int base = 4 * node;
                        for (int q = 0; q < 4; q++) {
                            int ch = child[base + q];
                            if (ch != 0) {
                                stack[sp++] = ch;
                            }
                        }
                    }
                }
                rep[2 * i] = fx;
                rep[2 * i + 1] = fy;
                zPart[i] = z;
            }
        });
        double z = 0;
        for (double v : zPart) {
            z += v;
        }
        return z;
    }
}
