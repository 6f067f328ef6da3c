/**
 * Graded homework: {@link dev.neurolens.homework.Homework} (hand in a part, {@code %check} grades it),
 * {@link dev.neurolens.homework.Check} and {@link dev.neurolens.homework.CheckResult} (relative error against the
 * reference), {@link dev.neurolens.homework.SaliencyHomework}, {@link dev.neurolens.homework.StyleTransferHomework}.
 *
 * <p>Imports: techniques (the references), {@code display}, {@code model}, {@code data}, DJL (not its PyTorch
 * engine). Not magics or kernel ({@code %check} calls this), nor any {@code internal} package.
 */
package dev.neurolens.homework;
