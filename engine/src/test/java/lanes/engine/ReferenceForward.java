package lanes.engine;

import java.util.List;

/**
 * The oracle for {@link Model}: a naive forward pass in double precision straight from the layer
 * definitions, one example at a time, BatchNorm unfolded, the input range applied to the input. Written
 * from the layers' javadoc, not from the engine's ops, so a folding or layout mistake shows as a difference.
 */
final class ReferenceForward {
    private ReferenceForward() {}

    /** The outputs for one Lanes input in [0, 1]: probabilities when the output is a softmax. */
    static double[] run(Weights w, float[] input) {
        InputRange r = w.inputRange();
        double[] x = new double[input.length];
        for (int i = 0; i < x.length; i++) x[i] = r.low() + (double) input[i] * ((double) r.high() - r.low());
        Shape s = w.inputShape();
        for (Layer layer : w.layers()) {
            Shape out = layer.outputShape(s);
            x = switch (layer) {
                case DenseWeights d -> activate(dense(d, x), d.activation());
                case Conv2D c -> activate(conv(c, s, out, x), c.activation());
                case MaxPool2D p -> pool(p, s, out, x);
                case BatchNorm b -> batchNorm(b, x);
                case ActivationLayer a -> activate(x, a.activation());
                case Flatten f -> x;
                case Reshape rs -> x;
            };
            s = out;
        }
        return x;
    }

    static double[] dense(DenseWeights d, double[] x) {
        double[] y = new double[d.units()];
        for (int j = 0; j < d.units(); j++) {
            double acc = d.bias()[j];
            for (int i = 0; i < d.inputs(); i++) acc += x[i] * d.kernel()[i * d.units() + j];
            y[j] = acc;
        }
        return y;
    }

    static double[] conv(Conv2D c, Shape in, Shape out, double[] x) {
        double[] y = new double[out.size()];
        int ic = in.channels(), f = c.filters();
        for (int oh = 0; oh < out.height(); oh++) {
            for (int ow = 0; ow < out.width(); ow++) {
                for (int o = 0; o < f; o++) {
                    double acc = c.bias()[o];
                    for (int kh = 0; kh < c.kernelH(); kh++) {
                        int ih = oh * c.strideH() + kh - c.padding().top();
                        if (ih < 0 || ih >= in.height()) continue; // a zero of the padding
                        for (int kw = 0; kw < c.kernelW(); kw++) {
                            int iw = ow * c.strideW() + kw - c.padding().left();
                            if (iw < 0 || iw >= in.width()) continue;
                            for (int i = 0; i < ic; i++) {
                                acc += x[(ih * in.width() + iw) * ic + i] * c.kernel()[((kh * c.kernelW() + kw) * ic + i) * f + o];
                            }
                        }
                    }
                    y[(oh * out.width() + ow) * f + o] = acc;
                }
            }
        }
        return y;
    }

    static double[] pool(MaxPool2D p, Shape in, Shape out, double[] x) {
        double[] y = new double[out.size()];
        int c = in.channels();
        for (int oh = 0; oh < out.height(); oh++) {
            for (int ow = 0; ow < out.width(); ow++) {
                for (int ch = 0; ch < c; ch++) {
                    double m = Double.NEGATIVE_INFINITY;
                    for (int kh = 0; kh < p.poolH(); kh++) {
                        int ih = oh * p.strideH() + kh - p.padding().top();
                        if (ih < 0 || ih >= in.height()) continue; // padded cells never win
                        for (int kw = 0; kw < p.poolW(); kw++) {
                            int iw = ow * p.strideW() + kw - p.padding().left();
                            if (iw < 0 || iw >= in.width()) continue;
                            m = Math.max(m, x[(ih * in.width() + iw) * c + ch]);
                        }
                    }
                    y[(oh * out.width() + ow) * c + ch] = m;
                }
            }
        }
        return y;
    }

    static double[] batchNorm(BatchNorm b, double[] x) {
        double[] y = new double[x.length];
        int c = b.channels();
        for (int i = 0; i < x.length; i++) {
            int j = i % c;
            y[i] = b.gamma()[j] * (x[i] - b.mean()[j]) / Math.sqrt((double) b.variance()[j] + b.epsilon()) + b.beta()[j];
        }
        return y;
    }

    static double[] activate(double[] x, Activation a) {
        double[] y = x.clone();
        switch (a) {
            case LINEAR -> { }
            case RELU -> { for (int i = 0; i < y.length; i++) y[i] = Math.max(0, y[i]); }
            case SIGMOID -> { for (int i = 0; i < y.length; i++) y[i] = 1 / (1 + Math.exp(-y[i])); }
            case TANH -> { for (int i = 0; i < y.length; i++) y[i] = Math.tanh(y[i]); }
            case SOFTMAX -> {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (double v : y) max = Math.max(max, v);
                for (int i = 0; i < y.length; i++) sum += y[i] = Math.exp(y[i] - max);
                for (int i = 0; i < y.length; i++) y[i] /= sum;
            }
        }
        return y;
    }

    /** Convenience for tests that build layer lists. */
    static List<Layer> layers(Layer... layers) {
        return List.of(layers);
    }
}
