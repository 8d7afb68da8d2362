//! The pure sourcing core through the library's public API: the skills taxonomy and its
//! matcher, scoring, and the opening index.
mod bluesky;
mod harvest;
mod index;
mod matching;
mod score;
mod taxonomy;
mod x;
