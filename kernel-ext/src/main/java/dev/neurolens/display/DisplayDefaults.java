package dev.neurolens.display;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.knowm.xchart.internal.chartpart.Chart;
import tech.tablesaw.api.Table;

import java.awt.image.BufferedImage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The renderers Neurolens installs for common types: pictures, image-shaped arrays, tables, charts, and anything
 * {@link Displayable}. Idempotent: a second call changes nothing, so renderers a user registered since stay.
 */
public final class DisplayDefaults {
    private static final AtomicBoolean REGISTERED = new AtomicBoolean();

    private DisplayDefaults() {
    }

    public static void register() {
        if (!REGISTERED.compareAndSet(false, true)) {
            return;
        }
        Renderers.register(Displayable.class, Displayable::mimeBundle);
        Renderers.register(BufferedImage.class, img -> ImageView.of(img).mimeBundle());
        Renderers.register(NDArray.class, DisplayDefaults::renderArray);
        Renderers.register(Table.class, t -> TableHtml.of(t).mimeBundle());
        Renderers.register(Chart.class, c -> ChartImage.of(c).mimeBundle());
        Renderers.register(dev.neurolens.model.Prediction.class, PredictionView::render);
    }

    /**
     * An image-shaped array as a picture, with the array's own text kept as text/plain so nothing is lost.
     * Anything else returns null, and the kernel shows the array's toString().
     */
    static MimeBundle renderArray(NDArray array) {
        long[] shape = array.getShape().getShape();
        boolean imageLike = Images.isImageShape(shape)
                || (array.getDataType() == DataType.UINT8 && shape.length == 2 && shape[0] >= 8 && shape[1] >= 8);
        if (!imageLike) {
            return null;
        }
        byte[] png = Images.toPng(Images.upscale(Images.fromNDArray(array), autoScaleOf(shape)));
        return MimeBundle.png(png, array.toString());
    }

    private static int autoScaleOf(long[] shape) {
        Images.Layout l = Images.layout(shape);
        return ImageView.autoScale(l.width(), l.height());
    }
}
