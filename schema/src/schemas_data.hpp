// Schema texts embedded by the build (schema/src/embed_schemas.cmake).
#pragma once

#include <cstddef>

namespace defter::schema::detail {

struct EmbeddedSchema {
  const char* name;
  const char* text;
};
extern const EmbeddedSchema kSchemas[];
extern const std::size_t kSchemaCount;

}  // namespace defter::schema::detail
