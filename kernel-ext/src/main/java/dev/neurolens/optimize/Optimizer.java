package dev.neurolens.optimize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.neurolens.model.Adam;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;

/**
 * How a parameter moves given its gradient. A value describing the method ({@link #adam}, {@link #lbfgs},
 * {@link #sgd}, {@link #normalized}); {@link #start} makes a fresh stateful {@link Stepper} for one render.
 * One step is one evaluation of the loss and its gradient (an L-BFGS line search's trials included).
 */
public interface Optimizer {

    /** The stateful part of one run. */
    interface Stepper {
        /**
         * The next parameter value. New arrays come from the inputs' manager (the step's scope); state that
         * must outlive the step is attached to {@code keep}.
         */
        NDArray step(NDArray x, NDArray gradient, float loss, NDManager keep);
    }

    Stepper start();

    String describe();

    /**
     * Adam (Kingma &amp; Ba) with the usual betas 0.9, 0.999 and eps 1e-8: {@link Adam} with torch's rounding of its
     * coefficients, its moments kept in the step's {@code keep} manager.
     */
    static Optimizer adam(double lr) {
        return new Optimizer() {
            @Override
            public Stepper start() {
                return new Stepper() {
                    private Adam adam;

                    @Override
                    public NDArray step(NDArray x, NDArray g, float loss, NDManager keep) {
                        if (adam == null) {
                            adam = new Adam(keep, lr, 0.9, 0.999, Adam.Rounding.DOUBLE_BETAS);
                        }
                        return adam.next(x, g);
                    }
                };
            }

            @Override
            public String describe() {
                return "Adam(lr=" + lr + ")";
            }
        };
    }

    /** Plain gradient descent. */
    static Optimizer sgd(double lr) {
        return new Optimizer() {
            @Override
            public Stepper start() {
                return (x, g, loss, keep) -> x.sub(g.mul((float) lr));
            }

            @Override
            public String describe() {
                return "SGD(lr=" + lr + ")";
            }
        };
    }

    /**
     * Gradient steps of fixed size: the gradient divided by its mean absolute value, times {@code lr}
     * (DeepDream's and CS231n's class-visualization update).
     */
    static Optimizer normalized(double lr) {
        return new Optimizer() {
            @Override
            public Stepper start() {
                return (x, g, loss, keep) -> x.sub(g.div(g.abs().mean().add(1e-8f)).mul((float) lr));
            }

            @Override
            public String describe() {
                return "normalized gradient(lr=" + lr + ")";
            }
        };
    }

    /**
     * L-BFGS with history {@code history} and first trial step {@code lr} (1 is the natural step), with a
     * backtracking (Armijo) line search: a trial that does not lower the loss enough is shortened (to the minimum
     * of a quadratic fit, at least halved), and after {@value Lbfgs#MAX_HALVINGS} failures the search restarts
     * from the gradient; a worse point is never accepted. Each trial is one step (one loss evaluation), so the loss curve shows
     * rejected trials as spikes; the best picture is what a render keeps. Pair it with a bounded
     * parameterization (the techniques do): clipping between steps spoils its curvature estimates.
     */
    static Optimizer lbfgs(double lr, int history) {
        return new Optimizer() {
            @Override
            public Stepper start() {
                return new Lbfgs(lr, history);
            }

            @Override
            public String describe() {
                return "L-BFGS(lr=" + lr + ", history=" + history + ", backtracking)";
            }

            @Override
            public boolean wantsBoundedParameters() {
                return true;
            }
        };
    }

    /** L-BFGS with torch's defaults: lr 1, history 100. */
    static Optimizer lbfgs() {
        return lbfgs(1, 100);
    }

    /**
     * Whether the optimizer needs pictures bounded by their parameterization (a sigmoid) rather than by clipping
     * after each step.
     */
    default boolean wantsBoundedParameters() {
        return false;
    }

    /** torch.optim.LBFGS's two-loop update, with a backtracking line search spread over steps. */
    final class Lbfgs implements Stepper {
        static final int MAX_HALVINGS = 10;
        private static final double ARMIJO = 1e-4;
        private final double lr;
        private final int history;
        private final Deque<NDArray[]> pairs = new ArrayDeque<>(); // {y, s, ro}
        /** The last accepted point, its gradient and loss, and the direction being searched from it. */
        private NDArray xAcc;
        private NDArray gAcc;
        private float lossAcc;
        private NDArray dir;
        private double t;
        private double slope;
        private int halvings;
        private int iter;

        Lbfgs(double lr, int history) {
            this.lr = lr;
            this.history = history;
        }

        @Override
        public NDArray step(NDArray x, NDArray g, float loss, NDManager keep) {
            // the kept arrays join the step's scope for now, so every temporary made from them dies with the step
            NDManager scope = x.getManager();
            for (NDArray[] p : pairs) {
                for (NDArray a : p) {
                    a.tempAttach(scope);
                }
            }
            for (NDArray a : new NDArray[] {xAcc, gAcc, dir}) {
                if (a != null) {
                    a.tempAttach(scope);
                }
            }
            if (xAcc != null) {
                // x was the trial xAcc + t * dir: keep it if it lowered the loss enough, else try a shorter step
                if (!(loss <= lossAcc + ARMIJO * t * slope)) {
                    if (++halvings > MAX_HALVINGS) {
                        // the direction is useless (stale curvature): forget it and restart from the gradient
                        clear();
                        NDArray down = gAcc.neg();
                        down.attach(keep);
                        dir.close();
                        dir = down;
                        slope = gAcc.mul(down).sum().getFloat();
                        t = lr / gAcc.abs().max().getFloat();
                        halvings = 0;
                    } else {
                        // the minimum of the quadratic through the two losses and the slope, within [t/100, t/2]
                        double q = -slope * t * t / (2 * (loss - lossAcc - slope * t));
                        t = Double.isFinite(q) ? Math.max(t / 100, Math.min(t / 2, q)) : t / 100;
                    }
                    return xAcc.add(dir.mul((float) t));
                }
                NDArray y = g.sub(gAcc);
                NDArray s = x.sub(xAcc);
                double ys = y.mul(s).sum().getFloat();
                double yy = y.mul(y).sum().getFloat();
                double ss = s.mul(s).sum().getFloat();
                // positive curvature relative to the step's size (torch's absolute 1e-10 drops every pair of the
                // short gradient steps a backtracking search starts with)
                if (ys > 1e-8 * Math.sqrt(yy * ss) && ys > 0) {
                    if (pairs.size() == history) {
                        for (NDArray a : pairs.removeFirst()) {
                            a.close();
                        }
                    }
                    y.attach(keep);
                    s.attach(keep);
                    pairs.addLast(new NDArray[] {y, s, keep.create(1f / (float) ys)});
                }
            }
            NDArray d = direction(g);
            slope = g.mul(d).sum().getFloat();
            if (!(slope < 0)) {
                // not a descent direction (curvature pairs gone stale): restart from the gradient
                clear();
                d = g.neg();
                slope = g.mul(d).sum().getFloat();
            }
            // a gradient step moves no value by more than lr (torch scales by the L1 norm and then extrapolates in
            // its line search; a backtracking search cannot extrapolate, so it starts from a usable step)
            t = pairs.isEmpty() ? lr / g.abs().max().getFloat() : lr;
            iter++;
            halvings = 0;
            lossAcc = loss;
            replace(x, g, d, keep);
            return x.add(d.mul((float) t));
        }

        /** The quasi-Newton direction {@code -H g} from the stored pairs (torch's two-loop recursion). */
        private NDArray direction(NDArray g) {
            int k = pairs.size();
            if (k == 0) {
                return g.neg();
            }
            NDArray[] last = pairs.getLast();
            double hDiag = 1 / (last[2].getFloat() * last[0].mul(last[0]).sum().getFloat());
            float[] al = new float[k];
            NDArray q = g.neg();
            int i = k - 1;
            for (Iterator<NDArray[]> it = pairs.descendingIterator(); it.hasNext(); i--) {
                NDArray[] p = it.next();
                al[i] = p[1].mul(q).sum().getFloat() * p[2].getFloat();
                q = q.sub(p[0].mul(al[i]));
            }
            NDArray d = q.mul((float) hDiag);
            i = 0;
            for (NDArray[] p : pairs) {
                float be = p[0].mul(d).sum().getFloat() * p[2].getFloat();
                d = d.add(p[1].mul(al[i] - be));
                i++;
            }
            return d;
        }

        private void replace(NDArray x, NDArray g, NDArray d, NDManager keep) {
            for (NDArray a : new NDArray[] {xAcc, gAcc, dir}) {
                if (a != null) {
                    a.close();
                }
            }
            xAcc = x.duplicate();
            gAcc = g.duplicate();
            dir = d.duplicate();
            xAcc.attach(keep);
            gAcc.attach(keep);
            dir.attach(keep);
        }

        private void clear() {
            for (NDArray[] p : pairs) {
                for (NDArray a : p) {
                    a.close();
                }
            }
            pairs.clear();
        }
    }
}
