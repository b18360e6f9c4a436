/// @file core/json_text.hpp
/// JSON a user hands in, read with bounds, and quoted in error messages with bounds: a hostile
/// file must give one short error line, never a stack overflow or a message of megabytes.
#ifndef PARETONAS_CORE_JSON_TEXT_HPP
#define PARETONAS_CORE_JSON_TEXT_HPP

#include <nlohmann/json.hpp>

#include <string>

namespace paretonas {

/// Deeper nesting than any paretonas file needs (an architecture is 4 levels deep).
constexpr int kMaxJsonDepth = 64;
/// The longest quotation of a user's text in an error message.
constexpr std::size_t kMaxQuoted = 80;

/// nlohmann::json::parse, refusing nesting deeper than kMaxJsonDepth with InputError "JSON nested
/// deeper than 64 levels": such a value would overflow the stack when dumped or compared.
/// Malformed text still throws nlohmann's parse_error, for the caller to name the file.
nlohmann::json parse_json_within_depth(const std::string& text);

/// A JSON value for an error message: scalars as JSON, cut to kMaxQuoted characters; arrays and
/// objects by kind and size ("an array of 3").
std::string json_excerpt(const nlohmann::json& value);

/// `text` cut to kMaxQuoted characters (with "..." and the full length when cut).
std::string quoted_excerpt(const std::string& text);

} // namespace paretonas

#endif
