package lanes.tools;

import com.beust.jcommander.Parameter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import lanes.engine.Activation;
import lanes.engine.Metadata;
import lanes.engine.WeightFile;
import lanes.kernels.BatchScheduler;
import lanes.kernels.KernelsProvider;
import lanes.trainer.Adam;
import lanes.trainer.Dataset;
import lanes.trainer.EpochResult;
import lanes.trainer.KerasProgress;
import lanes.trainer.Network;
import lanes.trainer.Samples;
import lanes.trainer.Trainer;
import lanes.trainer.Warmup;

/** tools/train: Flatten → Dense(hidden, relu) → Dense(classes, softmax), Adam, like the Keras tutorial. */
public final class Train {

    static final class Args extends Cli.HasHelp {
        @Parameter(names = "--data", required = true, description = "Directory with {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz (see tools/fetch-data)")
        Path data;
        @Parameter(names = "--epochs", description = "Passes over the training set")
        int epochs = 10;
        @Parameter(names = "--batch", description = "Examples per step")
        int batch = 32;
        // Kept as given: parsed straight to float (decimal to float in one rounding, as Float.parseFloat does,
        // so the weights match any run given the same text), and reported as typed ("1e-50", not "0.0").
        @Parameter(names = "--lr", description = "Adam learning rate")
        String lr = Float.toString(Adam.DEFAULT_LR);
        @Parameter(names = "--hidden", description = "Units of the hidden ReLU layer")
        int hidden = 128;
        @Parameter(names = "--seed", description = "Seed of the weight initialisation and the shuffling")
        long seed = 1;
        @Parameter(names = "--threads", description = "Worker threads (default: available processors)")
        Integer threads;
        @Parameter(names = "--out", description = "Weight file to write")
        Path out = Path.of("model.lnw");
        @Parameter(names = "--history", description = "CSV with one row per epoch: epoch,seconds,loss,accuracy,val_loss,val_accuracy")
        Path history;

        /** The learning rate as Adam takes it; valid once {@link #check()} has passed. */
        float learningRate() {
            return Float.parseFloat(lr);
        }

        @Override
        void check() {
            Cli.atLeastOne("--epochs", epochs);
            Cli.atLeastOne("--batch", batch);
            Cli.atLeastOne("--hidden", hidden);
            if (hidden > WeightFile.MAX_UNITS) throw new Cli.UsageException(
                    "--hidden must be at most " + WeightFile.MAX_UNITS + " (the weight file's limit), got " + hidden);
            double exact;
            try {
                exact = Double.parseDouble(lr);
            } catch (NumberFormatException e) {
                throw new Cli.UsageException("--lr must be a number, got '" + lr + "'");
            }
            if (!(exact > 0) || Double.isInfinite(exact)) throw new Cli.UsageException("--lr must be > 0, got " + lr);
            float f = learningRate();
            if (!(f > 0) || Float.isInfinite(f)) throw new Cli.UsageException(
                    "--lr must be a float32 between " + Float.MIN_VALUE + " and " + Float.MAX_VALUE + ", got " + lr);
            if (threads != null && (threads < 1 || threads > BatchScheduler.MAX_THREADS)) throw new Cli.UsageException(
                    "--threads must be between 1 and " + BatchScheduler.MAX_THREADS + ", got " + threads);
            if (history != null && Outputs.same(out, history)) throw new Cli.UsageException(
                    "--history and --out name the same file, " + out + ": the history would be overwritten by the weights");
        }
    }

    public static void main(String[] argv) {
        System.exit(run(argv));
    }

    static int run(String[] argv) {
        return run(argv, true);
    }

    /** As the command; {@code warmUp} false skips the JIT warm-up, for tests that run many short trainings. */
    static int run(String[] argv, boolean warmUp) {
        Args a = new Args();
        return Cli.run("tools/train", a, argv, () -> train(a, warmUp));
    }

    private static int train(Args a, boolean warmUp) throws IOException {
        int threads = a.threads == null ? BatchScheduler.defaultThreads() : a.threads;
        // The JIT compiles the kernels on a scratch network while the data loads, with threads of its own:
        // when the data turns out bad, closing the training scheduler cannot strand a warm-up step.
        CompletableFuture<Double> warmup = !warmUp ? null : CompletableFuture.supplyAsync(() -> {
            try (BatchScheduler own = new BatchScheduler(threads)) {
                return Warmup.run(KernelsProvider.get(), own);
            }
        }, task -> Thread.ofPlatform().name("lanes-warmup").daemon().start(task));
        try (BatchScheduler scheduler = new BatchScheduler(threads)) {
            return train(a, threads, scheduler, warmup);
        }
    }

    private static int train(Args a, int threads, BatchScheduler scheduler, CompletableFuture<Double> warmup) throws IOException {
        // Where the results go is checked before minutes of training, not when they are written.
        Outputs.checkWritable(a.out);
        if (a.history != null) Outputs.checkWritable(a.history);
        Dataset trainSet = Dataset.load(a.data, "train"), testSet = Dataset.load(a.data, "t10k");
        if (trainSet.rows() != testSet.rows() || trainSet.cols() != testSet.cols()) throw new IOException(
                Dataset.imagesFile(a.data, "t10k") + " holds " + testSet.rows() + "x" + testSet.cols() + " images but "
                        + Dataset.imagesFile(a.data, "train") + " holds " + trainSet.rows() + "x" + trainSet.cols()
                        + ": validation images must have the training images' size");
        Samples train = trainSet.samples();
        Samples test = testSet.samples();
        int classes = Math.max(train.classes(), test.classes());
        System.out.printf(Locale.ROOT, "Training on %d examples, validating on %d (%s): %d-%d-%d, batch %d, %d thread%s, %s kernels%n",
                train.count(), test.count(), a.data, train.features(), a.hidden, classes, a.batch, threads,
                threads == 1 ? "" : "s", KernelsProvider.get().name());

        Network net = Network.builder(train.features())
                .dense(a.hidden, Activation.RELU)
                .dense(classes, Activation.SOFTMAX)
                .build(a.seed);
        try {
            if (warmup != null) System.out.printf(Locale.ROOT, "Warm-up: kernels compiled in %.2f s, alongside the data load%n", warmup.join());
        } catch (CompletionException e) {
            // Only a speed-up: train anyway, and say why epoch 1 will be slow.
            System.err.println("tools/train: warning: the warm-up failed (" + e.getCause()
                    + "); epoch 1 includes compiling the kernels");
        }
        Trainer trainer = new Trainer(net, new Adam(a.learningRate(), net.parameterCount()), KernelsProvider.get(), scheduler);
        List<EpochResult> history = trainer.fit(train, test, a.epochs, a.batch, a.seed,
                new KerasProgress(System.out, Cli.stdoutIsTerminal()));
        EpochResult last = history.get(history.size() - 1);
        if (a.history != null) writeHistory(a.history, history);
        if (!Double.isFinite(last.loss())) throw new IOException("training diverged (the loss is " + last.loss()
                + " after epoch " + last.epoch() + "), so no model was saved to " + a.out + "; try a smaller --lr");
        String dataset = a.data.toAbsolutePath().normalize().getFileName() == null ? ""
                : a.data.toAbsolutePath().normalize().getFileName().toString();
        WeightFile.write(a.out, net.toWeights(new Metadata(dataset, a.epochs, last.valAccuracy(), Instant.now())));
        double total = history.stream().mapToDouble(EpochResult::seconds).sum();
        System.out.printf(Locale.ROOT, "Saved %s: val_accuracy %.4f after %d epochs, %.2f s training (%.3f s/epoch)%n",
                a.out, last.valAccuracy(), a.epochs, total, total / a.epochs);
        return Cli.OK;
    }

    /** The history CSV; header is a contract that scripts read: epoch,seconds,loss,accuracy,val_loss,val_accuracy. */
    static void writeHistory(Path file, List<EpochResult> history) throws IOException {
        StringBuilder csv = new StringBuilder("epoch,seconds,loss,accuracy,val_loss,val_accuracy\n");
        for (EpochResult r : history) {
            csv.append(String.format(Locale.ROOT, "%d,%.4f,%.6f,%.6f,%.6f,%.6f%n",
                    r.epoch(), r.seconds(), r.loss(), r.accuracy(), r.valLoss(), r.valAccuracy()));
        }
        Outputs.writeAtomically(file, csv.toString().getBytes(StandardCharsets.UTF_8));
    }
}
