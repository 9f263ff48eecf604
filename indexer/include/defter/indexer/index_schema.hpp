// The index schema: every term prefix and value slot of defter's Xapian
// index, in one table. The indexer and the search side both use these names;
// nothing else spells a prefix. Conventions follow Omega's termprefixes
// (Q unique id, L language, S title, A author, D/M/Y dates, Z stemmed, X... ours).
//
// Documents: one per article translation ("a:ARTICLE/LANG") and one per
// author biography language ("u:AUTHOR/LANG"; an author without a biography
// gets one document "u:AUTHOR/" for name and topics). Terms of a document:
//   Q<unique id>          exactly one; replace_document() by it makes replays harmless
//   XU<a:ARTICLE|u:AUTHOR>  the record it was built from: all of a record's
//                         documents go at once when it changes
//   XT<type>              "article" or "author"
//   XA<id>                the article's or author's id (boolean filter)
//   L<lang>               the document's language (BCP 47 tag as stored)
//   XL<lang>              a language of passages inside it (e.g. an English paragraph in Turkish text)
//   S<word>, ZS<stem>     title words (also indexed unprefixed, weighted up)
//   A<author id>          an author of the article (boolean)
//   XN<word>              author name words
//   XC<CC>                a subject country (the record's countries)
//   XM<CC>                a country the text mentions (gazetteer)
//   XK<CC>                any country, subject or mentioned
//   XS<source>            a cited source: a footnote's publisher, folded
//   Y<yyyy>, M<yyyymm>, D<yyyymmdd>   publication date, as precise as known
//   <word>, Z<stem>       body, subtitle, footnote and title text
//   XP<word> <word>       two adjacent pair words (folded; see "defter:pair_words"):
//                         a phrase of two common words is one posting list,
//                         not a check of the positions of every document
//                         holding both
// Values:
//   slot::kDateStart / kDateEnd  "YYYYMMDD" bounds of a (possibly partial) date
//   slot::kCollapse       article id (collapses translations into one hit)
//   slot::kCountries      subject countries then '|' then mentioned, comma-separated
//   slot::kAuthors        author ids, tab-separated
//   slot::kLang           the document's language
//   slot::kFingerprint    a hash of what the document was built from (verify)
// Metadata:
//   "defter:last_seq"     the last change-log sequence number applied (decimal)
//   "defter:format"       kIndexFormat
//   "defter:pair_words"   JSON {sampled_documents, percent, words}: the words
//                         whose adjacent pairs are XP terms, chosen when the
//                         index was created (format 2 on)
// Document data: JSON with what a result shows (type, id, lang, title, published, authors, countries).
#pragma once

#include <string_view>

namespace defter::indexer {

// 2: XP pair terms; 3: countries by the exact-form recogniser (XM, XK and
// the countries slot), less an article's not_countries; sources (XS) from
// footnotes given as plain text; author names also in Latin letters (XN).
// An index of an older format is read as it is, and reported (defter stats,
// verify, index) until defter reindex rebuilds it.
inline constexpr int kIndexFormat = 3;

// The year facet's value (and the year filter's) for undated articles.
inline constexpr std::string_view kUndated = "undated";

namespace prefix {
inline constexpr std::string_view kUnique = "Q";
inline constexpr std::string_view kUnit = "XU";
inline constexpr std::string_view kType = "XT";
inline constexpr std::string_view kId = "XA";
inline constexpr std::string_view kLang = "L";
inline constexpr std::string_view kPassageLang = "XL";
inline constexpr std::string_view kTitle = "S";
inline constexpr std::string_view kStem = "Z";
inline constexpr std::string_view kAuthor = "A";
inline constexpr std::string_view kAuthorName = "XN";
inline constexpr std::string_view kSubjectCountry = "XC";
inline constexpr std::string_view kMentionedCountry = "XM";
inline constexpr std::string_view kCountry = "XK";
inline constexpr std::string_view kSource = "XS";
inline constexpr std::string_view kPair = "XP";
inline constexpr std::string_view kYear = "Y";
inline constexpr std::string_view kMonth = "M";
inline constexpr std::string_view kDay = "D";
}  // namespace prefix

namespace slot {
inline constexpr unsigned kDateStart = 0;
inline constexpr unsigned kDateEnd = 1;
inline constexpr unsigned kCollapse = 2;
inline constexpr unsigned kCountries = 3;
inline constexpr unsigned kAuthors = 4;
inline constexpr unsigned kLang = 5;
inline constexpr unsigned kFingerprint = 6;
}  // namespace slot

namespace meta {
inline constexpr std::string_view kLastSeq = "defter:last_seq";
inline constexpr std::string_view kFormat = "defter:format";
inline constexpr std::string_view kPairWords = "defter:pair_words";
}  // namespace meta

}  // namespace defter::indexer
