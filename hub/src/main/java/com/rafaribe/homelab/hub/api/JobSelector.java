package com.rafaribe.homelab.hub.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Map;

/** Which mover Jobs a monitor governs. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class JobSelector {
    public static final String DEFAULT_NAME_PREFIX = "volsync-";

    @JsonPropertyDescription("Only Jobs whose name starts with this. Defaults to \"volsync-\".")
    private String namePrefix;

    @JsonPropertyDescription("Only Jobs carrying all of these labels.")
    private Map<String, String> labelSelector;

    @JsonPropertyDescription("Only Jobs in these namespaces; empty means every namespace.")
    private List<String> namespaces;

    public String getNamePrefix() { return namePrefix; }
    public void setNamePrefix(String namePrefix) { this.namePrefix = namePrefix; }
    public Map<String, String> getLabelSelector() { return labelSelector; }
    public void setLabelSelector(Map<String, String> labelSelector) { this.labelSelector = labelSelector; }
    public List<String> getNamespaces() { return namespaces; }
    public void setNamespaces(List<String> namespaces) { this.namespaces = namespaces; }
}
