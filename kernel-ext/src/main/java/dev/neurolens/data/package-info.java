/**
 * Pictures and data sets, as plain Java: {@link dev.neurolens.data.Pictures#read} (every picture file a user names),
 * {@link dev.neurolens.data.Samples} (pictures in the jar: chelsea, starry_night, …),
 * {@link dev.neurolens.data.FashionMnist}, {@link dev.neurolens.data.Scenes} (procedural scenes with exact labels),
 * {@link dev.neurolens.data.SharedData}.
 *
 * <p>Imports: the JDK only. Data is independent of {@code model} (and of DJL), so anything may read data without
 * loading a network.
 */
package dev.neurolens.data;
