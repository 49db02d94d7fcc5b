package onnxgen

import (
	"strconv"

	"google.golang.org/protobuf/encoding/protowire"
)

// Builder accumulates a graph's nodes, initializers, inputs and outputs,
// then encodes the model. The zero value is an empty graph.
type Builder struct {
	nodes, inits, inputs, outputs []msg
	n                             int
}

// Op adds a node and returns the name of its single output, made from
// opType and a counter.
func (b *Builder) Op(opType string, inputs []string, attrs ...Attribute) string {
	b.n++
	out := opType + "_" + strconv.Itoa(b.n)
	b.OpTo(out, opType, inputs, attrs...)
	return out
}

// OpTo adds a node whose single output has the given name.
func (b *Builder) OpTo(out, opType string, inputs []string, attrs ...Attribute) {
	n := msg(nil)
	for _, in := range inputs {
		n = n.str(nodeInput, in)
	}
	n = n.str(nodeOutput, out).str(nodeName, out).str(nodeOpType, opType)
	for _, a := range attrs {
		n = n.bytes(nodeAttribute, a)
	}
	b.nodes = append(b.nodes, n)
}

// Floats adds a float32 initializer of shape dims and returns its name.
func (b *Builder) Floats(name string, data []float32, dims ...int64) string {
	b.inits = append(b.inits, tensorProto(name, ElemFloat, dims, float32Raw(data)))
	return name
}

// Ints adds an int64 initializer of shape dims and returns its name.
func (b *Builder) Ints(name string, data []int64, dims ...int64) string {
	b.inits = append(b.inits, tensorProto(name, ElemInt64, dims, int64Raw(data)))
	return name
}

// Input declares a graph input of element type elem; each dim is an int
// or, when symbolic, a string.
func (b *Builder) Input(name string, elem int64, dims ...any) {
	b.inputs = append(b.inputs, valueInfo(name, elem, dims...))
}

// Output declares a graph output, as Input declares inputs.
func (b *Builder) Output(name string, elem int64, dims ...any) {
	b.outputs = append(b.outputs, valueInfo(name, elem, dims...))
}

// Model encodes the graph, called name, as a ModelProto (IR version 8,
// opset 17) from producer.
func (b *Builder) Model(name, producer string) []byte {
	gm := msg(nil).str(graphName, name)
	for _, part := range []struct {
		field protowire.Number
		msgs  []msg
	}{{graphNode, b.nodes}, {graphInitializer, b.inits}, {graphInput, b.inputs}, {graphOutput, b.outputs}} {
		for _, m := range part.msgs {
			gm = gm.bytes(part.field, m)
		}
	}
	opset := msg(nil).varint(opsetVersion, opsetImported)
	return msg(nil).varint(modelIRVersion, irVersion).str(modelProducer, producer).
		bytes(modelGraph, gm).bytes(modelOpsetImport, opset)
}
