package lanes.trainer;

import lanes.engine.Activation;

/**
 * The algorithmic reference for the trainer's layers, as llm.c keeps {@code matmul_forward_naive}: plain
 * loops in double over one example at a time, written from the definitions (convolution as the sum over
 * its window, pooling as a max, dense as a dot product), sharing no code with the trainer. It reads a
 * {@link Network}'s layer list and flat parameters, and gives the mean sparse categorical cross-entropy
 * over some examples and its gradient with respect to every parameter, in the network's layout.
 */
final class CnnReference {
    private final Network net;
    /** The parameters in double: the network's, or perturbed ones for finite differences. */
    final double[] params;

    CnnReference(Network net) {
        this.net = net;
        float[] p = net.parameters();
        params = new double[p.length];
        for (int i = 0; i < p.length; i++) params[i] = p[i];
    }

    /** The mean loss over {@code data}; adds the gradient of the mean loss into {@code grad} when it is not null. */
    double lossAndGradient(Samples data, double[] grad) {
        double loss = 0;
        for (int e = 0; e < data.count(); e++) loss += example(data, e, grad, 1.0 / data.count());
        return loss / data.count();
    }

    /** One example's loss; its gradient times {@code scale} into grad when not null. */
    private double example(Samples data, int e, double[] grad, double scale) {
        int n = net.layers.size();
        double[][] act = new double[n + 1][];
        int[][] argmax = new int[n][];
        act[0] = new double[net.inputSize];
        for (int i = 0; i < net.inputSize; i++) act[0][i] = (data.pixels()[e * net.inputSize + i] & 0xFF) / 255.0;
        for (int l = 0; l < n; l++) {
            Layer layer = net.layers.get(l);
            act[l + 1] = new double[layer.out];
            switch (layer) {
                case Dense d -> dense(d, act[l], act[l + 1]);
                case Conv c -> conv(c, act[l], act[l + 1]);
                case MaxPool p -> argmax[l] = pool(p, act[l], act[l + 1]);
            }
        }
        double[] z = act[n];
        int label = data.labels()[e] & 0xFF;
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double v : z) max = Math.max(max, v);
        for (double v : z) sum += Math.exp(v - max);
        double loss = -(z[label] - max - Math.log(sum));
        if (grad == null) return loss;
        double[] dy = new double[z.length];
        for (int j = 0; j < z.length; j++) dy[j] = (Math.exp(z[j] - max) / sum - (j == label ? 1 : 0)) * scale;
        for (int l = n - 1; l >= 0; l--) {
            Layer layer = net.layers.get(l);
            double[] dx = new double[layer.in];
            switch (layer) {
                case Dense d -> denseBack(d, act[l], act[l + 1], dy, dx, grad);
                case Conv c -> convBack(c, act[l], act[l + 1], dy, dx, grad);
                case MaxPool p -> {
                    for (int o = 0; o < layer.out; o++) dx[argmax[l][o]] += dy[o];
                }
            }
            dy = dx;
        }
        return loss;
    }

    private void dense(Dense d, double[] x, double[] y) {
        for (int j = 0; j < d.out; j++) {
            double z = params[d.biasOffset + j];
            for (int i = 0; i < d.in; i++) z += x[i] * params[d.weightOffset + i * d.out + j];
            y[j] = d.activation == Activation.RELU ? Math.max(z, 0) : z;
        }
    }

    private void denseBack(Dense d, double[] x, double[] y, double[] dy, double[] dx, double[] grad) {
        for (int j = 0; j < d.out; j++) {
            double dz = d.activation == Activation.RELU && y[j] <= 0 ? 0 : dy[j];
            grad[d.biasOffset + j] += dz;
            for (int i = 0; i < d.in; i++) {
                grad[d.weightOffset + i * d.out + j] += x[i] * dz;
                dx[i] += params[d.weightOffset + i * d.out + j] * dz;
            }
        }
    }

    /** Index of kernel weight [kh][kw][c][f] (HWIO). */
    private static int w(Conv c, int kh, int kw, int ch, int f) {
        return c.weightOffset + ((kh * c.kernel + kw) * c.channels + ch) * c.filters + f;
    }

    /** Index of pixel [h][w][c] of an image (NHWC without the N). */
    private static int px(int width, int channels, int h, int w, int c) {
        return (h * width + w) * channels + c;
    }

    private void conv(Conv c, double[] x, double[] y) {
        for (int oh = 0; oh < c.outHeight; oh++) {
            for (int ow = 0; ow < c.outWidth; ow++) {
                for (int f = 0; f < c.filters; f++) {
                    double z = params[c.biasOffset + f];
                    for (int kh = 0; kh < c.kernel; kh++) {
                        for (int kw = 0; kw < c.kernel; kw++) {
                            for (int ch = 0; ch < c.channels; ch++) {
                                z += x[px(c.width, c.channels, oh + kh, ow + kw, ch)] * params[w(c, kh, kw, ch, f)];
                            }
                        }
                    }
                    y[px(c.outWidth, c.filters, oh, ow, f)] = c.activation == Activation.RELU ? Math.max(z, 0) : z;
                }
            }
        }
    }

    private void convBack(Conv c, double[] x, double[] y, double[] dy, double[] dx, double[] grad) {
        for (int oh = 0; oh < c.outHeight; oh++) {
            for (int ow = 0; ow < c.outWidth; ow++) {
                for (int f = 0; f < c.filters; f++) {
                    int o = px(c.outWidth, c.filters, oh, ow, f);
                    double dz = c.activation == Activation.RELU && y[o] <= 0 ? 0 : dy[o];
                    grad[c.biasOffset + f] += dz;
                    for (int kh = 0; kh < c.kernel; kh++) {
                        for (int kw = 0; kw < c.kernel; kw++) {
                            for (int ch = 0; ch < c.channels; ch++) {
                                int i = px(c.width, c.channels, oh + kh, ow + kw, ch);
                                grad[w(c, kh, kw, ch, f)] += x[i] * dz;
                                dx[i] += params[w(c, kh, kw, ch, f)] * dz;
                            }
                        }
                    }
                }
            }
        }
    }

    /** y = window maxima; returns, per output, the input index of its maximum (the first of equals). */
    private static int[] pool(MaxPool p, double[] x, double[] y) {
        int[] at = new int[p.out];
        for (int oh = 0; oh < p.outHeight; oh++) {
            for (int ow = 0; ow < p.outWidth; ow++) {
                for (int ch = 0; ch < p.channels; ch++) {
                    int o = px(p.outWidth, p.channels, oh, ow, ch), best = -1;
                    for (int kh = 0; kh < p.size; kh++) {
                        for (int kw = 0; kw < p.size; kw++) {
                            int i = px(p.width, p.channels, oh * p.size + kh, ow * p.size + kw, ch);
                            if (best < 0 || x[i] > x[best]) best = i;
                        }
                    }
                    at[o] = best;
                    y[o] = x[best];
                }
            }
        }
        return at;
    }
}
