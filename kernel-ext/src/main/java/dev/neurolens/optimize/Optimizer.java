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
 * One step is one evaluation of the loss and its gradient (L-BFGS as torch's with no line search).
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

    /** L-BFGS with history {@code history} and step size {@code lr}, one loss evaluation per step. */
    static Optimizer lbfgs(double lr, int history) {
        return new Optimizer() {
            @Override
            public Stepper start() {
                return new Lbfgs(lr, history);
            }

            @Override
            public String describe() {
                return "L-BFGS(lr=" + lr + ", history=" + history + ")";
            }
        };
    }

    /** L-BFGS with torch's defaults: lr 1, history 100. */
    static Optimizer lbfgs() {
        return lbfgs(1, 100);
    }

    /** torch.optim.LBFGS's update without line search, evaluated once per step. */
    final class Lbfgs implements Stepper {
        private final double lr;
        private final int history;
        private final Deque<NDArray[]> pairs = new ArrayDeque<>(); // {y, s, ro}
        private NDArray prevGrad;
        private NDArray prevDir;
        private double prevT;
        private double hDiag = 1;
        private int iter;

        Lbfgs(double lr, int history) {
            this.lr = lr;
            this.history = history;
        }

        @Override
        public NDArray step(NDArray x, NDArray g, float loss, NDManager keep) {
            NDArray d;
            if (iter == 0) {
                d = g.neg();
            } else {
                NDArray y = g.sub(prevGrad);
                NDArray s = prevDir.mul((float) prevT);
                double ys = y.mul(s).sum().getFloat();
                if (ys > 1e-10) {
                    if (pairs.size() == history) {
                        for (NDArray a : pairs.removeFirst()) {
                            a.close();
                        }
                    }
                    y.attach(keep);
                    s.attach(keep);
                    NDArray ro = keep.create(1f / (float) ys);
                    pairs.addLast(new NDArray[] {y, s, ro});
                    hDiag = ys / y.mul(y).sum().getFloat();
                }
                int k = pairs.size();
                float[] al = new float[k];
                NDArray q = g.neg();
                int i = k - 1;
                for (Iterator<NDArray[]> it = pairs.descendingIterator(); it.hasNext(); i--) {
                    NDArray[] p = it.next();
                    al[i] = p[1].mul(q).sum().getFloat() * p[2].getFloat();
                    q = q.sub(p[0].mul(al[i]));
                }
                d = q.mul((float) hDiag);
                i = 0;
                for (NDArray[] p : pairs) {
                    float be = p[0].mul(d).sum().getFloat() * p[2].getFloat();
                    d = d.add(p[1].mul(al[i] - be));
                    i++;
                }
            }
            NDArray gKeep = g.duplicate();
            gKeep.attach(keep);
            if (prevGrad != null) {
                prevGrad.close();
            }
            prevGrad = gKeep;
            double t = iter == 0 ? Math.min(1, 1 / g.abs().sum().getFloat()) * lr : lr;
            NDArray dKeep = d.duplicate();
            dKeep.attach(keep);
            if (prevDir != null) {
                prevDir.close();
            }
            prevDir = dKeep;
            prevT = t;
            iter++;
            return x.add(d.mul((float) t));
        }
    }
}
