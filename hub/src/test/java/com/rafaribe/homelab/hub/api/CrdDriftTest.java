package com.rafaribe.homelab.hub.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The CRD users apply (agent-config/crd/) is exactly what the build generates from the Java model. */
class CrdDriftTest {
    @Test
    void committedCrdMatchesTheGeneratedOne() throws IOException {
        Path generated = Path.of(System.getProperty("crd.generated.dir", "target/crd")).resolve(CrdWriter.FILE_NAME);
        Path committed = Path.of(System.getProperty("crd.committed.dir", "../agent-config/crd")).resolve(CrdWriter.FILE_NAME);
        assertThat(generated).exists();
        assertThat(Files.readString(committed))
                .as("agent-config/crd/%s drifted from the model; run: mvn -Pupdate-crd -DskipTests package", CrdWriter.FILE_NAME)
                .isEqualTo(Files.readString(generated));
    }

    @Test
    void generatedCrdCarriesValidationAndPrinterColumns() throws IOException {
        String crd = Files.readString(Path.of(System.getProperty("crd.generated.dir", "target/crd")).resolve(CrdWriter.FILE_NAME));
        assertThat(crd).contains("name: \"Enabled\"", "name: \"Last Unlock\"", "name: \"Last Error\"", "priority: 1")
                .contains("minimum: 0.0")
                .contains("- \"Active\"", "- \"Paused\"", "- \"Error\"")
                .contains("status: {}");
        assertThat(crd.indexOf("name: \"Enabled\"")).isLessThan(crd.indexOf("name: \"Phase\""));
        assertThat(crd.indexOf("name: \"Failed\"")).isLessThan(crd.indexOf("name: \"Age\""));
    }
}
