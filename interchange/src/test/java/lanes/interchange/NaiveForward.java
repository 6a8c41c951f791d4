package lanes.interchange;

import java.util.Arrays;
import lanes.engine.Activation;
import lanes.engine.ActivationLayer;
import lanes.engine.BatchNorm;
import lanes.engine.Conv2D;
import lanes.engine.DenseWeights;
import lanes.engine.Flatten;
import lanes.engine.Layer;
import lanes.engine.MaxPool2D;
import lanes.engine.Reshape;
import lanes.engine.Shape;
import lanes.engine.Weights;

/**
 * The test oracle for imported weights: the engine's layer semantics (NHWC, HWIO kernels, padded cells zero
 * for convolution and ignored for pooling) written out as plain loops in double precision, with nothing
 * shared with the engine's kernels or the importer. What it checks is that the importer put Keras' weights
 * where the engine reads them; the engine's own forward pass is checked against it separately.
 */
final class NaiveForward {
    private NaiveForward() {}

    /** The outputs for one input in Lanes' convention ([0, 1], mapped to the weights' input range). */
    static double[] run(Weights w, float[] input) {
        double[] x = new double[input.length];
        double low = w.inputRange().low(), high = w.inputRange().high();
        for (int i = 0; i < x.length; i++) x[i] = low + input[i] * (high - low);
        return runRaw(w, x);
    }

    /** The outputs for an input already in the model's own range. */
    static double[] runRaw(Weights w, double[] x) {
        Shape s = w.inputShape();
        if (x.length != s.size()) throw new IllegalArgumentException("input has " + x.length + " values, expected " + s.size());
        for (Layer layer : w.layers()) {
            switch (layer) {
                case DenseWeights d -> x = dense(d, x);
                case Conv2D c -> x = conv(c, s, x);
                case MaxPool2D p -> x = pool(p, s, x);
                case BatchNorm b -> x = norm(b, x);
                case ActivationLayer a -> x = activate(a.activation(), x);
                case Flatten f -> { }
                case Reshape r -> { }
            }
            s = layer.outputShape(s);
        }
        return x;
    }

    private static double[] dense(DenseWeights d, double[] x) {
        double[] y = new double[d.units()];
        for (int j = 0; j < d.units(); j++) {
            double acc = d.bias()[j];
            for (int i = 0; i < d.inputs(); i++) acc += x[i] * d.kernel()[i * d.units() + j];
            y[j] = acc;
        }
        return activate(d.activation(), y);
    }

    private static double[] conv(Conv2D c, Shape in, double[] x) {
        Shape out = c.outputShape(in);
        double[] y = new double[out.size()];
        for (int oh = 0; oh < out.height(); oh++) {
            for (int ow = 0; ow < out.width(); ow++) {
                for (int f = 0; f < c.filters(); f++) {
                    double acc = c.bias()[f];
                    for (int kh = 0; kh < c.kernelH(); kh++) {
                        int ih = oh * c.strideH() + kh - c.padding().top();
                        if (ih < 0 || ih >= in.height()) continue;
                        for (int kw = 0; kw < c.kernelW(); kw++) {
                            int iw = ow * c.strideW() + kw - c.padding().left();
                            if (iw < 0 || iw >= in.width()) continue;
                            for (int ic = 0; ic < c.inChannels(); ic++) {
                                acc += x[(ih * in.width() + iw) * in.channels() + ic]
                                        * c.kernel()[((kh * c.kernelW() + kw) * c.inChannels() + ic) * c.filters() + f];
                            }
                        }
                    }
                    y[(oh * out.width() + ow) * out.channels() + f] = acc;
                }
            }
        }
        return activate(c.activation(), y);
    }

    private static double[] pool(MaxPool2D p, Shape in, double[] x) {
        Shape out = p.outputShape(in);
        double[] y = new double[out.size()];
        for (int oh = 0; oh < out.height(); oh++) {
            for (int ow = 0; ow < out.width(); ow++) {
                for (int ch = 0; ch < in.channels(); ch++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int kh = 0; kh < p.poolH(); kh++) {
                        int ih = oh * p.strideH() + kh - p.padding().top();
                        if (ih < 0 || ih >= in.height()) continue;
                        for (int kw = 0; kw < p.poolW(); kw++) {
                            int iw = ow * p.strideW() + kw - p.padding().left();
                            if (iw < 0 || iw >= in.width()) continue;
                            max = Math.max(max, x[(ih * in.width() + iw) * in.channels() + ch]);
                        }
                    }
                    y[(oh * out.width() + ow) * out.channels() + ch] = max;
                }
            }
        }
        return y;
    }

    private static double[] norm(BatchNorm b, double[] x) {
        double[] y = new double[x.length];
        int c = b.channels();
        for (int i = 0; i < x.length; i++) {
            int ch = i % c;
            y[i] = b.gamma()[ch] * (x[i] - b.mean()[ch]) / Math.sqrt((double) b.variance()[ch] + b.epsilon()) + b.beta()[ch];
        }
        return y;
    }

    static double[] activate(Activation a, double[] x) {
        double[] y = x.clone();
        switch (a) {
            case LINEAR -> { }
            case RELU -> { for (int i = 0; i < y.length; i++) y[i] = Math.max(0, y[i]); }
            case SIGMOID -> { for (int i = 0; i < y.length; i++) y[i] = 1 / (1 + Math.exp(-y[i])); }
            case TANH -> { for (int i = 0; i < y.length; i++) y[i] = Math.tanh(y[i]); }
            case SOFTMAX -> {
                double max = Arrays.stream(y).max().orElse(0), sum = 0;
                for (int i = 0; i < y.length; i++) sum += y[i] = Math.exp(y[i] - max);
                for (int i = 0; i < y.length; i++) y[i] /= sum;
            }
        }
        return y;
    }
}
