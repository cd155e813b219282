// Package talkers answers "who talks to whom, and how much": it counts packets and bytes
// per directed pair, per conversation (Wireshark's Conversations) or per host (Wireshark's
// Endpoints), in tumbling or sliding windows, with a mergeable heavy-hitter summary that
// bounds memory and is exact while a window holds at most its capacity of keys.
//
// The package knows nothing of Kafka or of where results go: a consumer feeds Windows (or
// Totals, for a whole input) with parsed packets and prints the Results. Summaries encode
// to a compact versioned binary form so instances can ship and merge them.
package talkers
