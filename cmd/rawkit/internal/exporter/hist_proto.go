package exporter

import (
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// appendProto appends h as the fields of an io.prometheus.client.Histogram
// message, the fields write fills (unpacked repeated deltas, as Go's
// protobuf encodes client_model's proto2 messages).
func (h *rttHistogram) appendProto(b []byte) []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	b = protowire.AppendTag(b, 1, protowire.VarintType)
	b = protowire.AppendVarint(b, h.count)
	b = protowire.AppendTag(b, 2, protowire.Fixed64Type)
	b = protowire.AppendFixed64(b, math.Float64bits(h.sum))
	var cum uint64
	for i, ub := range h.bounds {
		cum += h.counts[i]
		// Bucket: cumulative_count (1), upper_bound (2).
		b = protowire.AppendTag(b, 3, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(protowire.SizeTag(1)+protowire.SizeVarint(cum)+protowire.SizeTag(2)+protowire.SizeFixed64()))
		b = protowire.AppendTag(b, 1, protowire.VarintType)
		b = protowire.AppendVarint(b, cum)
		b = protowire.AppendTag(b, 2, protowire.Fixed64Type)
		b = protowire.AppendFixed64(b, math.Float64bits(ub))
	}
	if h.native {
		b = protowire.AppendTag(b, 5, protowire.VarintType)
		b = protowire.AppendVarint(b, protowire.EncodeZigZag(int64(h.schema)))
		b = protowire.AppendTag(b, 6, protowire.Fixed64Type)
		b = protowire.AppendFixed64(b, math.Float64bits(nativeZeroThreshold))
		b = protowire.AppendTag(b, 7, protowire.VarintType)
		b = protowire.AppendVarint(b, h.zero)
		b = appendSpans(b, h.neg, 9, 10)
		b = appendSpans(b, h.pos, 12, 13)
	}
	var ts [2 + 2*binaryMaxVarint]byte
	b = protowire.AppendTag(b, 15, protowire.BytesType)
	return protowire.AppendBytes(b, appendTimestamp(ts[:0], h.created))
}

// appendSpans appends the spans of bs as fields spanField (BucketSpan:
// offset (1), length (2)) and their deltas as fields deltaField.
func appendSpans(b []byte, bs []nativeBucket, spanField, deltaField protowire.Number) []byte {
	forSpans(bs, func(offset int32, length uint32) {
		off := protowire.EncodeZigZag(int64(offset))
		b = protowire.AppendTag(b, spanField, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(protowire.SizeTag(1)+protowire.SizeVarint(off)+protowire.SizeTag(2)+protowire.SizeVarint(uint64(length))))
		b = protowire.AppendTag(b, 1, protowire.VarintType)
		b = protowire.AppendVarint(b, off)
		b = protowire.AppendTag(b, 2, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(length))
	})
	forDeltas(bs, func(d int64) {
		b = protowire.AppendTag(b, deltaField, protowire.VarintType)
		b = protowire.AppendVarint(b, protowire.EncodeZigZag(d))
	})
	return b
}
