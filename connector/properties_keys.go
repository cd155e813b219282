package connector

import (
	"slices"
	"strings"
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
	best, bestD := "", -1
	consider := func(cand string) {
		if d := editDistance(k, cand); bestD < 0 || d < bestD {
			best, bestD = cand, d
		}
	}
	used := make([]string, 0, len(connectKeys))
	for cand := range connectKeys {
		used = append(used, cand)
	}
	slices.Sort(used) // map order must not pick among equals
	for _, cand := range used {
		consider(cand)
	}
	for _, cand := range ignoredConnectKeys {
		consider(cand)
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b: insertions,
// deletions, substitutions and transpositions of adjacent bytes each cost one, so "fiel" is
// one edit from "file" and "bootstrap.server" one from "bootstrap.servers".
func editDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
