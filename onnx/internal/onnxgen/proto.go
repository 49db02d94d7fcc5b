// Package onnxgen writes ONNX models by hand, for tests: the protobuf
// encoding of ModelProto, GraphProto, NodeProto, TensorProto and
// ValueInfoProto that the generated test models (packages bertgen and
// clipgen) need, and a Builder that collects a graph's nodes, initializers,
// inputs and outputs.
package onnxgen

import (
	"encoding/binary"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers and enum values from onnx/onnx.proto (IR version 8).
const (
	modelIRVersion   = 1
	modelProducer    = 2
	modelGraph       = 7
	modelOpsetImport = 8

	opsetVersion = 2

	graphNode        = 1
	graphName        = 2
	graphInitializer = 5
	graphInput       = 11
	graphOutput      = 12

	nodeInput     = 1
	nodeOutput    = 2
	nodeName      = 3
	nodeOpType    = 4
	nodeAttribute = 5

	attrName  = 1
	attrF     = 2
	attrI     = 3
	attrInts  = 8
	attrType  = 20
	attrFloat = 1 // AttributeProto.FLOAT
	attrInt   = 2 // AttributeProto.INT
	attrIntsT = 7 // AttributeProto.INTS

	tensorDims     = 1
	tensorDataType = 2
	tensorName     = 8
	tensorRawData  = 9

	valueName = 1
	valueType = 2

	typeTensor    = 1
	tensorElem    = 1
	tensorShape   = 2
	shapeDim      = 1
	dimValue      = 1
	dimParam      = 2
	irVersion     = 8
	opsetImported = 17
)

// Tensor element types (TensorProto.DataType).
const (
	ElemFloat = 1
	ElemInt32 = 6
	ElemInt64 = 7
)

// msg is a protobuf message under construction.
type msg []byte

func (m msg) bytes(field protowire.Number, b []byte) msg {
	m = protowire.AppendTag(m, field, protowire.BytesType)
	return protowire.AppendBytes(m, b)
}

func (m msg) str(field protowire.Number, s string) msg { return m.bytes(field, []byte(s)) }

func (m msg) varint(field protowire.Number, v int64) msg {
	m = protowire.AppendTag(m, field, protowire.VarintType)
	return protowire.AppendVarint(m, uint64(v))
}

func (m msg) float(field protowire.Number, f float32) msg {
	m = protowire.AppendTag(m, field, protowire.Fixed32Type)
	return protowire.AppendFixed32(m, math.Float32bits(f))
}

// Attribute is an encoded AttributeProto.
type Attribute []byte

// AttrInt is an INT attribute.
func AttrInt(name string, v int64) Attribute {
	return Attribute(msg(nil).str(attrName, name).varint(attrType, attrInt).varint(attrI, v))
}

// AttrFloat is a FLOAT attribute.
func AttrFloat(name string, f float32) Attribute {
	return Attribute(msg(nil).str(attrName, name).varint(attrType, attrFloat).float(attrF, f))
}

// AttrInts is an INTS attribute.
func AttrInts(name string, vs ...int64) Attribute {
	m := msg(nil).str(attrName, name).varint(attrType, attrIntsT)
	for _, v := range vs {
		m = m.varint(attrInts, v)
	}
	return Attribute(m)
}

// tensorProto encodes a TensorProto with little-endian raw data.
func tensorProto(name string, elem int64, dims []int64, raw []byte) msg {
	m := msg(nil)
	for _, d := range dims {
		m = m.varint(tensorDims, d)
	}
	return m.varint(tensorDataType, elem).str(tensorName, name).bytes(tensorRawData, raw)
}

func float32Raw(data []float32) []byte {
	raw := make([]byte, 0, 4*len(data))
	for _, f := range data {
		raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(f))
	}
	return raw
}

func int64Raw(data []int64) []byte {
	raw := make([]byte, 0, 8*len(data))
	for _, v := range data {
		raw = binary.LittleEndian.AppendUint64(raw, uint64(v))
	}
	return raw
}

// valueInfo encodes a ValueInfoProto for a tensor; a dim is a number or,
// when symbolic, a name.
func valueInfo(name string, elem int64, dims ...any) msg {
	shape := msg(nil)
	for _, d := range dims {
		dim := msg(nil)
		switch d := d.(type) {
		case int:
			dim = dim.varint(dimValue, int64(d))
		case string:
			dim = dim.str(dimParam, d)
		}
		shape = shape.bytes(shapeDim, dim)
	}
	tensor := msg(nil).varint(tensorElem, elem).bytes(tensorShape, shape)
	typ := msg(nil).bytes(typeTensor, tensor)
	return msg(nil).str(valueName, name).bytes(valueType, typ)
}
