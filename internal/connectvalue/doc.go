// Package connectvalue is the record value codec of Kafka Connect's converters: it writes a log line
// as JsonConverter (with or without schemas) or StringConverter would, byte for byte, and reads
// any of those values back to the line. Java's UTF-8 rules live here too, because Connect's
// values and positions are made of the Java chars its reader decoded, not of the file's bytes.
package connectvalue
