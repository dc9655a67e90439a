//! Reads a CSDL (OData 4.0 `edmx`) document into a schema: types, properties, navigation,
//! containers, operations and the capability annotations the conversion consults.
