//! The brand's plan of its customer experience: phases, principles, journeys, and what is
//! read from them (the journey linter's insights, the scorecard, the experience map).
pub mod experience_map;
pub mod insights;
pub mod journeys;
pub mod phases;
pub mod principles;
pub mod scorecard;
