package com.rafaribe.homelab.hub.api;

/** The original controller's phases: the CRD lists them as an enum. */
public enum MonitorPhase {
    Active, Paused, Error
}
