package javaser

import "math"

// Class descriptors, objects and arrays of the Java serialization reader.

// classDesc reads a class descriptor where one is expected: new, null or a back reference.
func (jr *javaReader) classDesc() (*Class, error) {
	tc, err := jr.u8()
	if err != nil {
		return nil, err
	}
	switch tc {
	case tcNull:
		return nil, nil
	case tcClassDesc, tcProxyClassDesc:
		return jr.classDescAfter(tc)
	case tcReference:
		v, err := jr.reference()
		if err != nil {
			return nil, err
		}
		cd, ok := v.(*Class)
		if !ok {
			return nil, javaErrorf("reference to %T where a class descriptor was expected", v)
		}
		return cd, nil
	}
	return nil, javaErrorf("type code %#x where a class descriptor was expected", tc)
}

func (jr *javaReader) classDescAfter(tc byte) (*Class, error) {
	if tc == tcProxyClassDesc {
		return jr.proxyClassDesc()
	}
	name, err := jr.utf(false)
	if err != nil {
		return nil, err
	}
	if _, err := jr.bytes(8); err != nil { // serialVersionUID
		return nil, err
	}
	cd := &Class{Name: name}
	jr.newHandle(cd)
	if cd.flags, err = jr.u8(); err != nil {
		return nil, err
	}
	n, err := jr.u16()
	if err != nil {
		return nil, err
	}
	for range n {
		f, err := jr.fieldDesc()
		if err != nil {
			return nil, err
		}
		cd.fields = append(cd.fields, f)
	}
	return cd, jr.finishClassDesc(cd)
}

// finishClassDesc skips the class annotation and reads the superclass descriptor.
func (jr *javaReader) finishClassDesc(cd *Class) error {
	if _, _, err := jr.annotation(); err != nil {
		return err
	}
	super, err := jr.classDesc()
	cd.super = super
	return err
}

func (jr *javaReader) proxyClassDesc() (*Class, error) {
	cd := &Class{Name: "$Proxy", flags: scSerializable}
	jr.newHandle(cd)
	n, err := jr.i32()
	if err != nil {
		return nil, err
	}
	for range n {
		if _, err := jr.utf(false); err != nil {
			return nil, err
		}
	}
	return cd, jr.finishClassDesc(cd)
}

func (jr *javaReader) fieldDesc() (javaField, error) {
	tc, err := jr.u8()
	if err != nil {
		return javaField{}, err
	}
	name, err := jr.utf(false)
	if err != nil {
		return javaField{}, err
	}
	f := javaField{typecode: tc, name: name}
	switch tc {
	case 'B', 'C', 'D', 'F', 'I', 'J', 'S', 'Z':
		return f, nil
	case 'L', '[':
		// The field's type name, as a string object (usually a back reference).
		v, err := jr.content()
		if err != nil {
			return f, err
		}
		if _, ok := v.(string); !ok {
			return f, javaErrorf("field %s: type name is %T", name, v)
		}
		return f, nil
	}
	return f, javaErrorf("field %s: type code %q", name, tc)
}

// annotation reads contents up to TC_ENDBLOCKDATA: the block data bytes and the objects.
func (jr *javaReader) annotation() ([]byte, []any, error) {
	var data []byte
	var objs []any
	for {
		tc, err := jr.u8()
		if err != nil {
			return nil, nil, err
		}
		if tc == tcEndBlockData {
			return data, objs, nil
		}
		if jr.depth >= maxJavaDepth {
			return nil, nil, javaErrorf("nested deeper than %d", maxJavaDepth)
		}
		jr.depth++
		v, err := jr.element(tc)
		jr.depth--
		if err != nil {
			return nil, nil, err
		}
		if b, ok := v.(javaBlock); ok {
			data = append(data, b...)
		} else {
			objs = append(objs, v)
		}
	}
}

func (jr *javaReader) blockData(tc byte) (javaBlock, error) {
	var n int
	if tc == tcBlockData {
		b, err := jr.u8()
		if err != nil {
			return nil, err
		}
		n = int(b)
	} else {
		m, err := jr.i32()
		if err != nil {
			return nil, err
		}
		if m < 0 {
			return nil, javaErrorf("block data of %d bytes", m)
		}
		n = int(m)
	}
	return jr.bytes(n)
}

func (jr *javaReader) object() (*Object, error) {
	cd, err := jr.classDesc()
	if err != nil {
		return nil, err
	}
	if cd == nil {
		return nil, javaErrorf("object without a class")
	}
	obj := &Object{Class: cd, Fields: map[string]any{}, BlockData: map[string][]byte{}, Annotations: map[string][]any{}}
	jr.newHandle(obj)
	var chain []*Class // superclass first, as the data is written
	for c := cd; c != nil; c = c.super {
		if len(chain) >= maxJavaDepth {
			return nil, javaErrorf("class hierarchy deeper than %d", maxJavaDepth)
		}
		chain = append([]*Class{c}, chain...)
	}
	for _, c := range chain {
		if err := jr.classData(obj, c); err != nil {
			return nil, err
		}
	}
	return obj, nil
}

func (jr *javaReader) classData(obj *Object, c *Class) error {
	if c.flags&scExternalizable != 0 {
		if c.flags&scBlockData == 0 {
			return javaErrorf("class %s: externalizable without block data", c.Name)
		}
		return jr.annotate(obj, c)
	}
	if c.flags&scSerializable == 0 {
		return nil
	}
	for _, f := range c.fields {
		v, err := jr.fieldValue(f.typecode)
		if err != nil {
			return err
		}
		obj.Fields[f.name] = v
	}
	if c.flags&scWriteMethod != 0 {
		return jr.annotate(obj, c)
	}
	return nil
}

func (jr *javaReader) annotate(obj *Object, c *Class) error {
	data, objs, err := jr.annotation()
	obj.BlockData[c.Name], obj.Annotations[c.Name] = data, objs
	return err
}

// primSizes is the byte size of each primitive type code.
var primSizes = map[byte]int{'B': 1, 'Z': 1, 'C': 2, 'S': 2, 'I': 4, 'F': 4, 'J': 8, 'D': 8}

// fieldValue reads one field or array element: a primitive (as int64, or float64 for F and D) or
// an object.
func (jr *javaReader) fieldValue(tc byte) (any, error) {
	size, ok := primSizes[tc]
	if !ok {
		if tc != 'L' && tc != '[' {
			return nil, javaErrorf("value of type code %q", tc)
		}
		v, err := jr.content()
		if _, isBlock := v.(javaBlock); isBlock {
			return nil, javaErrorf("block data where a field value was expected")
		}
		return v, err
	}
	b, err := jr.bytes(size)
	if err != nil {
		return nil, err
	}
	var u uint64
	for _, x := range b {
		u = u<<8 | uint64(x)
	}
	switch tc {
	case 'F':
		return float64(math.Float32frombits(uint32(u))), nil
	case 'D':
		return math.Float64frombits(u), nil
	case 'B':
		return int64(int8(u)), nil
	case 'S':
		return int64(int16(u)), nil
	case 'I':
		return int64(int32(u)), nil
	}
	return int64(u), nil
}

// array reads an array: byte[] as []byte, any other as []any.
func (jr *javaReader) array() (any, error) {
	cd, err := jr.classDesc()
	if err != nil {
		return nil, err
	}
	if cd == nil || len(cd.Name) < 2 || cd.Name[0] != '[' {
		return nil, javaErrorf("array without an array class")
	}
	h := jr.newHandle(nil)
	n, err := jr.i32()
	if err != nil {
		return nil, err
	}
	if n < 0 {
		return nil, javaErrorf("array of %d elements", n)
	}
	if cd.Name == "[B" {
		b, err := jr.bytes(int(n))
		jr.handles[h] = b
		return b, err
	}
	elems := make([]any, 0, min(int(n), 1024))
	for range n {
		v, err := jr.fieldValue(cd.Name[1])
		if err != nil {
			return nil, err
		}
		elems = append(elems, v)
	}
	jr.handles[h] = elems
	return elems, nil
}

func (jr *javaReader) enum() (string, error) {
	if _, err := jr.classDesc(); err != nil {
		return "", err
	}
	h := jr.newHandle(nil)
	v, err := jr.content()
	if err != nil {
		return "", err
	}
	name, ok := v.(string)
	if !ok {
		return "", javaErrorf("enum constant name is %T", v)
	}
	jr.handles[h] = name
	return name, nil
}
