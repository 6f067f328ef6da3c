/**
 * How {@code model} does its work: the layer implementations ({@code Layers}, {@code GeneratorLayers},
 * {@code Blocks}, {@code TransposedConv}), the one facade over DJL's PyTorch engine ({@code Torch}: autograd
 * modes, TorchScript calls, native ops DJL does not expose), the .pth reader ({@code PthReader}) and the libtorch
 * convolution self-check ({@code ConvolutionCheck}).
 *
 * <p>Imports: DJL (PyTorch engine included), the JDK and {@code model}. Internal: nobody outside
 * {@code dev.neurolens.model} may import it.
 */
package dev.neurolens.model.internal;
