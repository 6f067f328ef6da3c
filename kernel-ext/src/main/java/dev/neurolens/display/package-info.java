/**
 * How things show in a notebook: {@link dev.neurolens.display.Displayable} and
 * {@link dev.neurolens.display.MimeBundle}, renderers by type ({@link dev.neurolens.display.Renderers}),
 * {@link dev.neurolens.display.Display}, pictures and grids ({@link dev.neurolens.display.ImageView},
 * {@link dev.neurolens.display.ImageGrid}, {@link dev.neurolens.display.HeatmapOverlay}), live figures
 * ({@link dev.neurolens.display.LiveDisplay}, {@link dev.neurolens.display.Progress}),
 * {@link dev.neurolens.display.Charts}, {@link dev.neurolens.display.Painter}.
 *
 * <p>Imports: the JDK, DJL's {@code ndarray} (to draw arrays) and {@code model}'s value types it draws
 * ({@code Prediction}, {@code DownloadProgress}). A renderer never runs a model, and imports no technique, magic or
 * kernel: techniques' results render themselves through this package.
 */
package dev.neurolens.display;
