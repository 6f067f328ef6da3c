/**
 * How {@code model} does its work: the layer implementations ({@code Layers}, {@code TransposedConv}), weight files
 * ({@code WeightsFiles}, {@code PthReader}, {@code RawTensor}), TorchScript calls with autograd
 * ({@code ScriptCalls}), {@code Adam}, the libtorch convolution self-check ({@code ConvolutionCheck}), {@code Names}
 * and the trainer of the built-in model ({@code TrainDefaultModel}).
 *
 * <p>Imports: DJL (PyTorch engine included), the JDK and {@code model}; {@code data} only in the trainer, which
 * reads Fashion-MNIST. Internal: nobody outside {@code dev.neurolens.model} may import it.
 */
package dev.neurolens.model.internal;
