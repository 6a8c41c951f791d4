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
import lanes.engine.Metadata;
import lanes.engine.WeightFile;
import lanes.kernels.BatchScheduler;
import lanes.kernels.KernelsProvider;
import lanes.trainer.Adam;
import lanes.trainer.ArchSpec;
import lanes.trainer.Augmentation;
import lanes.trainer.Dataset;
import lanes.trainer.EpochResult;
import lanes.trainer.FitOptions;
import lanes.trainer.FitResult;
import lanes.trainer.KerasProgress;
import lanes.trainer.LearningRateSchedule;
import lanes.trainer.Network;
import lanes.trainer.Samples;
import lanes.trainer.Trainer;
import lanes.trainer.Warmup;

/**
 * tools/train: by default Flatten → Dense(hidden, relu) → Dense(classes, softmax), Adam, like the Keras
 * tutorial; {@code --arch} names other layers, {@code --lr-schedule} and {@code --patience} do what Keras'
 * LearningRateSchedule and EarlyStopping(restore_best_weights=True) do.
 */
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
        // Null when not given: --hidden and --arch exclude each other.
        @Parameter(names = "--hidden", description = "Units of the hidden ReLU layer (default 128): short for --arch 'dense(N,relu) dense(10,softmax)'")
        Integer hidden;
        @Parameter(names = "--arch", description = "The layers, separated by spaces, e.g. 'conv2d(16,5,relu) maxpool(2) dense(10,softmax)';"
                + " layers: " + ArchSpec.FORMS + "; an omitted activation is linear (default: " + ArchSpec.DEFAULT + ")")
        String arch;
        @Parameter(names = "--lr-schedule", description = "How the learning rate moves from --lr: " + LearningRateSchedule.FORMS
                + "; cosine decays per step to ~0 at the last step")
        String lrSchedule = "constant";
        @Parameter(names = "--patience", description = "Stop once val_loss has not improved for N epochs, and save the best epoch's weights (0: train every epoch)")
        int patience = 0;
        @Parameter(names = "--augment", description = "Distortions of the training images: none, or a comma-separated set of affine, elastic, thickness")
        String augment = "none";
        @Parameter(names = "--seed", description = "Seed of the weight initialisation and the shuffling")
        long seed = 1;
        @Parameter(names = "--threads", description = "Worker threads (default: available processors)")
        Integer threads;
        @Parameter(names = "--out", description = "Weight file to write")
        Path out = Path.of("model.lnw");
        @Parameter(names = "--history", description = "CSV with one row per epoch: epoch,seconds,loss,accuracy,val_loss,val_accuracy")
        Path history;

        /** The architecture given, or null for --hidden's (classes come from the data); valid once {@link #check()} has passed. */
        ArchSpec architecture() {
            return arch == null ? null : ArchSpec.parse(arch);
        }

        int hiddenUnits() {
            return hidden == null ? 128 : hidden;
        }

        /** The options of the fit; valid once {@link #check()} has passed. */
        FitOptions fitOptions() {
            return FitOptions.DEFAULTS.withSchedule(LearningRateSchedule.parse(lrSchedule)).withPatience(patience);
        }

        /** The learning rate as Adam takes it; valid once {@link #check()} has passed. */
        float learningRate() {
            return Float.parseFloat(lr);
        }

        @Override
        void check() {
            Cli.atLeastOne("--epochs", epochs);
            Cli.atLeastOne("--batch", batch);
            if (hidden != null && arch != null) throw new Cli.UsageException(
                    "--hidden and --arch both give the layers: use --arch alone (--hidden N is --arch 'dense(N,relu) dense(10,softmax)')");
            if (hidden != null) {
                Cli.atLeastOne("--hidden", hidden);
                if (hidden > WeightFile.MAX_UNITS) throw new Cli.UsageException(
                        "--hidden must be at most " + WeightFile.MAX_UNITS + " (the weight file's limit), got " + hidden);
            }
            if (arch != null) checkArch(arch);
            try {
                LearningRateSchedule.parse(lrSchedule);
            } catch (IllegalArgumentException e) {
                throw new Cli.UsageException("--lr-schedule: " + e.getMessage());
            }
            if (patience < 0) throw new Cli.UsageException("--patience must be >= 0 (0: no early stopping), got " + patience);
            checkAugment(augment);
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

        private static void checkArch(String arch) {
            ArchSpec spec;
            try {
                spec = ArchSpec.parse(arch);
            } catch (IllegalArgumentException e) {
                throw new Cli.UsageException("--arch: " + e.getMessage());
            }
            for (int i = 0; i < spec.layers().size(); i++) {
                if (spec.layers().get(i) instanceof ArchSpec.DenseLayer d && d.units() > WeightFile.MAX_UNITS) {
                    throw new Cli.UsageException("--arch: layer " + (i + 1) + " '" + d + "' has more units than the "
                            + WeightFile.MAX_UNITS + " of the weight file's limit");
                }
            }
        }

        private static void checkAugment(String augment) {
            try {
                Augmentation.parse(augment);
            } catch (IllegalArgumentException e) {
                throw new Cli.UsageException("--augment: " + e.getMessage());
            }
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
        boolean convolutional = a.architecture() != null && a.architecture().needsImage();
        CompletableFuture<Double> warmup = !warmUp ? null : CompletableFuture.supplyAsync(() -> {
            try (BatchScheduler own = new BatchScheduler(threads)) {
                return convolutional ? Warmup.runConvolutional(KernelsProvider.get(), own) : Warmup.run(KernelsProvider.get(), own);
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
        ArchSpec arch = a.architecture();
        if (arch != null && arch.classes() < classes) throw new IllegalArgumentException("--arch ends in '"
                + arch.layers().get(arch.layers().size() - 1) + "' but the data has " + classes
                + " classes (labels 0-" + (classes - 1) + "): the last layer needs at least " + classes + " units");
        // Without --arch, the summary keeps the line scripts have always read: inputs-hidden-classes.
        String layers = arch == null ? train.features() + "-" + a.hiddenUnits() + "-" + classes
                : (arch.needsImage() ? trainSet.rows() + "x" + trainSet.cols() + "x1" : train.features()) + " " + arch;
        System.out.printf(Locale.ROOT, "Training on %d examples, validating on %d (%s): %s, batch %d, %d thread%s, %s kernels%n",
                train.count(), test.count(), a.data, layers, a.batch, threads,
                threads == 1 ? "" : "s", KernelsProvider.get().name());

        if (arch == null) arch = ArchSpec.mlp(a.hiddenUnits(), classes);
        Network net = arch.build(trainSet.rows(), trainSet.cols(), a.seed);
        try {
            if (warmup != null) System.out.printf(Locale.ROOT, "Warm-up: kernels compiled in %.2f s, alongside the data load%n", warmup.join());
        } catch (CompletionException e) {
            // Only a speed-up: train anyway, and say why epoch 1 will be slow.
            System.err.println("tools/train: warning: the warm-up failed (" + e.getCause()
                    + "); epoch 1 includes compiling the kernels");
        }
        Trainer trainer = new Trainer(net, new Adam(a.learningRate(), net.parameterCount()), KernelsProvider.get(), scheduler);
        trainer.withAugmentation(Augmentation.parse(a.augment));
        FitResult result = trainer.fit(train, test, a.epochs, a.batch, a.seed,
                new KerasProgress(System.out, Cli.stdoutIsTerminal()), a.fitOptions());
        List<EpochResult> history = result.history();
        report(a, result);
        // The epoch whose weights are saved: the last one, or the best one that early stopping restored.
        EpochResult kept = result.kept();
        if (a.history != null) writeHistory(a.history, history);
        if (!Double.isFinite(kept.loss())) throw new IOException("training diverged (the loss is " + kept.loss()
                + " after epoch " + kept.epoch() + "), so no model was saved to " + a.out + "; try a smaller --lr");
        String dataset = a.data.toAbsolutePath().normalize().getFileName() == null ? ""
                : a.data.toAbsolutePath().normalize().getFileName().toString();
        // The metadata describes the weights saved: trained for kept.epoch() epochs (a.epochs unless training stopped early).
        WeightFile.write(a.out, net.toWeights(new Metadata(dataset, kept.epoch(), kept.valAccuracy(), Instant.now())));
        double total = history.stream().mapToDouble(EpochResult::seconds).sum();
        System.out.printf(Locale.ROOT, "Saved %s: val_accuracy %.4f after %d epochs, %.2f s training (%.3f s/epoch)%n",
                a.out, kept.valAccuracy(), history.size(), total, total / history.size());
        return Cli.OK;
    }

    /**
     * What the schedule and early stopping did, on stderr: stdout and the history CSV keep the lines and
     * columns scripts read.
     */
    private static void report(Args a, FitResult r) {
        if (!a.fitOptions().schedule().equals(LearningRateSchedule.CONSTANT)) {
            StringBuilder rates = new StringBuilder();
            for (float lr : r.learningRates()) rates.append(rates.isEmpty() ? "" : " ").append(lr);
            System.err.println("tools/train: --lr-schedule " + a.fitOptions().schedule() + ": learning rate at the end of each epoch: " + rates);
        }
        if (a.patience == 0) return;
        EpochResult best = r.bestEpoch() == 0 ? null : r.history().get(r.bestEpoch() - 1);
        String bestText = best == null ? "no epoch had a val_loss"
                : String.format(Locale.ROOT, "the best epoch was %d (val_loss %.4f, val_accuracy %.4f)",
                        best.epoch(), best.valLoss(), best.valAccuracy());
        String stop = r.stoppedEarly() ? "stopped early after epoch " + r.history().size()
                + ": val_loss has not improved for " + a.patience + " epoch" + (a.patience == 1 ? "" : "s")
                : "trained all " + r.history().size() + " epochs";
        String weights = r.restoredBest() ? "; restored its weights" : best == null ? "" : "; its weights are the last";
        System.err.println("tools/train: " + stop + "; " + bestText + weights);
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
