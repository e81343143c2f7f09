package com.rafaribe.homelab.hub.cluster;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;
import com.rafaribe.homelab.hub.policy.Redactor;
import java.util.ArrayList;
import java.util.List;

/** Every string of a JSON tree redacted, whatever field holds it: a status field added later is covered too. */
final class RedactedJson {
    private RedactedJson() {
    }

    static JsonNode of(JsonNode node) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>(object.propertyNames());
            for (String name : names) {
                object.set(name, of(object.get(name)));
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                array.set(i, of(array.get(i)));
            }
        } else if (node != null && node.isString()) {
            String redacted = Redactor.redact(node.stringValue());
            return redacted.equals(node.stringValue()) ? node : StringNode.valueOf(redacted);
        }
        return node;
    }
}
