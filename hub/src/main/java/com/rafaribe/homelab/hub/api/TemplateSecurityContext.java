package com.rafaribe.homelab.hub.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Min;

/** Each field, when set, replaces the mirrored value on its own. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class TemplateSecurityContext {
    @Min(0)
    private Long runAsUser;
    @Min(0)
    private Long runAsGroup;
    @Min(0)
    private Long fsGroup;

    public Long getRunAsUser() { return runAsUser; }
    public void setRunAsUser(Long runAsUser) { this.runAsUser = runAsUser; }
    public Long getRunAsGroup() { return runAsGroup; }
    public void setRunAsGroup(Long runAsGroup) { this.runAsGroup = runAsGroup; }
    public Long getFsGroup() { return fsGroup; }
    public void setFsGroup(Long fsGroup) { this.fsGroup = fsGroup; }
}
