package connector

import (
	"slices"
	"strings"

	"github.com/bridge-project/bridge/internal/suggest"
)

// ignoredConnectKeys are settings of a Connect standalone worker (WorkerConfig,
// StandaloneConfig, and the distributed ones people leave in) and of a connector
// (ConnectorConfig) that bridge knowingly has no use for. A key that is neither one of these
// nor read by bridge is most likely a typo, and is reported with the nearest known key.
var ignoredConnectKeys = []string{
	// worker
	"listeners", "rest.host.name", "rest.port", "rest.advertised.host.name", "rest.advertised.port",
	"rest.advertised.listener", "rest.extension.classes", "admin.listeners", "access.control.allow.methods",
	"access.control.allow.origin", "response.http.headers.config", "plugin.path", "plugin.discovery",
	"header.converter", "internal.key.converter", "internal.value.converter", "offset.flush.timeout.ms",
	"task.shutdown.graceful.timeout.ms", "client.dns.lookup", "client.id", "config.providers",
	"connector.client.config.override.policy", "metric.reporters", "metrics.num.samples",
	"metrics.recording.level", "metrics.sample.window.ms", "auto.include.jmx.reporter",
	"topic.tracking.enable", "topic.tracking.allow.reset", "topic.creation.enable",
	"group.id", "config.storage.topic", "config.storage.replication.factor", "offset.storage.topic",
	"offset.storage.partitions", "offset.storage.replication.factor", "status.storage.topic",
	"status.storage.partitions", "status.storage.replication.factor", "session.timeout.ms",
	"heartbeat.interval.ms", "rebalance.timeout.ms", "exactly.once.source.support",
	// connector
	"tasks.max.enforce", "config.action.reload", "transforms", "predicates", "errors.retry.timeout",
	"errors.retry.delay.max.ms", "errors.tolerance", "errors.log.enable", "errors.log.include.messages",
	"topic.creation.groups", "exactly.once.support", "transaction.boundary",
	"transaction.boundary.interval.ms", "offsets.storage.topic",
}

// connectKeyPrefixes start open-ended families of settings Connect passes on (to its clients,
// converters, transforms) or reads itself (the worker's own security settings).
var connectKeyPrefixes = []string{
	"producer.", "consumer.", "admin.", "key.converter.", "value.converter.", "header.converter.",
	"transforms.", "predicates.", "topic.creation.", "config.providers.", "listeners.", "metrics.context.",
	"ssl.", "sasl.", "security.",
}

// UnknownProperty is a key no Connect worker or FileStreamSource reads, with the known key
// nearest to it by edit distance: most likely what was meant.
type UnknownProperty struct {
	Key     string
	Nearest string
}

// SplitUnused sorts the keys UnusedProperties returned into settings Connect knows and bridge
// has no use for (ignored, harmless) and keys nobody reads (unknown: typos, most likely).
func SplitUnused(unused []string) (ignored []string, unknown []UnknownProperty) {
	for _, k := range unused {
		if isConnectKey(k) {
			ignored = append(ignored, k)
			continue
		}
		unknown = append(unknown, UnknownProperty{Key: k, Nearest: nearestConnectKey(k)})
	}
	return ignored, unknown
}

func isConnectKey(k string) bool {
	if connectKeys[k] || slices.Contains(ignoredConnectKeys, k) {
		return true
	}
	for _, pre := range connectKeyPrefixes {
		if strings.HasPrefix(k, pre) {
			return true
		}
	}
	return false
}

// nearestConnectKey returns the known key closest to k, preferring the keys bridge reads on
// a tie (a typo of topic= matters more than one of transforms=).
func nearestConnectKey(k string) string {
	known := make([]string, 0, len(connectKeys)+len(ignoredConnectKeys))
	for cand := range connectKeys {
		known = append(known, cand)
	}
	slices.Sort(known) // map order must not pick among equals
	return suggest.Nearest(k, append(known, ignoredConnectKeys...))
}
