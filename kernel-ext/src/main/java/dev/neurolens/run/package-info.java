/**
 * The one contract every iterative technique shares: {@link dev.neurolens.run.RunBuilder} (the settings steps, seed,
 * recordEvery, live and listener, declared once), {@link dev.neurolens.run.RunOptions} (those settings as one
 * value), {@link dev.neurolens.run.Frame} (what a listener hears each step) and {@link dev.neurolens.run.LastResults}
 * (the last result of each kind, partial ones included, for {@code Neurolens.lastResult()}) and {@link
 * dev.neurolens.run.Check} (the argument checks builders share).
 *
 * <p>Imports: the JDK only. Like {@code data} it stands apart, below the techniques, which build on it; it knows
 * no technique, model or display.
 */
package dev.neurolens.run;
