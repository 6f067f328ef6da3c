/**
 * Trainers the project runs to make its built-in weights ({@code TrainDefaultModel}: the Fashion-MNIST CNN in the
 * jar). It needs both {@code model} and {@code data}, which must not know each other, so it lives here.
 *
 * <p>Imports: {@code model}, {@code data}, DJL. Nothing in Neurolens imports it.
 */
package dev.neurolens.train;
