#include <paretonas/core/json_text.hpp>

#include <paretonas/core/error.hpp>

namespace paretonas {

nlohmann::json parse_json_within_depth(const std::string& text)
{
    // The parser itself is iterative; the callback stops it at the first container too deep.
    const nlohmann::json::parser_callback_t limit = [](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
        if ((event == nlohmann::json::parse_event_t::object_start || event == nlohmann::json::parse_event_t::array_start) &&
            depth >= kMaxJsonDepth)
            fail("JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
        return true;
    };
    return nlohmann::json::parse(text, limit);
}

std::string quoted_excerpt(const std::string& text)
{
    if (text.size() <= kMaxQuoted) return text;
    return text.substr(0, kMaxQuoted) + "... (" + std::to_string(text.size()) + " characters)";
}

std::string json_excerpt(const nlohmann::json& value)
{
    if (value.is_array()) return "an array of " + std::to_string(value.size());
    if (value.is_object()) return "an object of " + std::to_string(value.size()) + " fields";
    return quoted_excerpt(value.dump());
}

} // namespace paretonas
