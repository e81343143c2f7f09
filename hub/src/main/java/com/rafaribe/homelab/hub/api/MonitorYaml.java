package com.rafaribe.homelab.hub.api;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** Reads VolSyncMonitors from (multi-document) YAML, as a user writes them for kubectl. */
public final class MonitorYaml {
    private static final YAMLMapper YAML = new YAMLMapper();

    private MonitorYaml() {
    }

    /** Every document of kind VolSyncMonitor, in file order; other kinds are skipped. */
    public static List<VolSyncMonitor> parseAll(String yaml) throws IOException {
        List<VolSyncMonitor> monitors = new ArrayList<>();
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (documents.hasNextValue()) {
                JsonNode document = documents.nextValue();
                if (document != null && VolSyncMonitor.KIND.equals(document.path("kind").asString())) {
                    monitors.add(Serialization.jsonMapper().treeToValue(document, VolSyncMonitor.class));
                }
            }
        } catch (JacksonException | IllegalArgumentException e) {
            throw new IOException("not valid VolSyncMonitor YAML: " + e.getMessage(), e);
        }
        return monitors;
    }
}
