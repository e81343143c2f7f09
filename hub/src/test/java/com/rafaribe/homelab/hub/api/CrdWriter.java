package com.rafaribe.homelab.hub.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Build step (exec-maven-plugin, process-test-classes): writes the VolSyncMonitor CRD generated
 * from the Java model. fabric8's generator sorts printer columns by JSON path; kubectl shows them
 * in CRD order, so they are put back in the order the model class declares them.
 */
public final class CrdWriter {
    public static final String FILE_NAME = "volsyncmonitors.homelab.rafaribe.com-v1.yml";

    private CrdWriter() {
    }

    public static void main(String[] args) throws IOException {
        Path outputDir = Path.of(args[0]);
        Files.createDirectories(outputDir);
        Path tmp = Files.createTempDirectory("crd");
        new CRDGenerator().inOutputDir(tmp.toFile()).forCRDVersions("v1")
                .customResourceClasses(VolSyncMonitor.class).generate();
        Path generated = tmp.resolve(FILE_NAME);
        CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(generated), CustomResourceDefinition.class);
        List<String> declared = Arrays.stream(VolSyncMonitor.class.getAnnotationsByType(AdditionalPrinterColumn.class))
                .map(AdditionalPrinterColumn::name).toList();
        crd.getSpec().getVersions().forEach(v -> v.getAdditionalPrinterColumns()
                .sort(Comparator.comparingInt((CustomResourceColumnDefinition c) -> declared.indexOf(c.getName()))));
        String yaml = "# Generated from hub/src/main/java/com/rafaribe/homelab/hub/api by `mvn -Pupdate-crd -DskipTests package`; do not edit.\n"
                + Serialization.asYaml(crd);
        Files.writeString(outputDir.resolve(FILE_NAME), yaml, StandardCharsets.UTF_8);
        Files.delete(generated);
        Files.delete(tmp);
    }
}
