/**
 * Networks and what they compute: {@link dev.neurolens.model.Models} (pretrained by name, the built-in Fashion-MNIST
 * CNN, a state_dict file, random weights, TorchScript), {@link dev.neurolens.model.Network} and
 * {@link dev.neurolens.model.Model} (logits, activations, gradients), {@link dev.neurolens.model.Architecture},
 * {@link dev.neurolens.model.Forward}, {@link dev.neurolens.model.Tensor}, {@link dev.neurolens.model.WeightStore},
 * {@link dev.neurolens.model.ReceptiveField}.
 *
 * <p>Imports: DJL and the JDK only. This is the one package (with its {@code internal}) that may touch DJL's PyTorch
 * engine ({@code ai.djl.pytorch}); techniques, display, magics and kernel sit above it, data beside it.
 */
package dev.neurolens.model;
