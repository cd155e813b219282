// Package connector is bridge's Kafka Connect-style file source: it follows a log file,
// cuts it into lines exactly as Connect's FileStreamSource does, wraps each line in the
// record value Connect's converters would produce, and writes it to Kafka, saving its
// position only after Kafka acknowledged every line before it.
package connector
