package connector

// DefaultConfig returns a Source's settings when nothing is configured: the Default*
// values, as Kafka's stock connect-file-source.properties and the blog set them. The
// offsets file is left to the caller, who knows where state lives.
func DefaultConfig() Config {
	return Config{
		Name:               DefaultName,
		File:               DefaultFile,
		Topic:              DefaultTopic,
		Brokers:            []string{DefaultBrokers},
		Format:             FormatJSONSchema,
		BatchLines:         DefaultBatchLines,
		MaxRecordBytes:     DefaultMaxRecordBytes,
		Oversize:           OversizeTruncate,
		FlushInterval:      DefaultFlushInterval,
		OffsetsTopic:       DefaultOffsetsTopic,
		TransactionTimeout: DefaultTransactionTimeout,
		PollInterval:       DefaultPollInterval,
		RotateWait:         DefaultRotateWait,
		HeadBytes:          DefaultHeadBytes,
		MaxBufferedRecords: DefaultMaxBufferedRecords,
		MaxBufferedBytes:   DefaultMaxBufferedBytes,
		ShutdownTimeout:    DefaultShutdownTimeout,
		Compression:        DefaultCompression,
	}
}
