/**
 * How {@code attribution} does its work: {@code IncrementalForward}, exact incremental inference for occlusion (only
 * the part of each layer an occluding patch reaches is recomputed).
 *
 * <p>Imports: {@code model} and DJL (not its PyTorch engine), as {@code attribution} does. Internal: nobody outside
 * {@code dev.neurolens.attribution} may import it.
 */
package dev.neurolens.attribution.internal;
