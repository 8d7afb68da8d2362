//! Texts of the analytics page. Placeholders in braces are filled in by the handlers.

macro_rules! analytics_texts {
    ($($key:ident: $en:literal, $fr:literal;)+) => {
        pub struct AnalyticsText { $(pub $key: &'static str,)+ }
        pub static EN: AnalyticsText = AnalyticsText { $($key: $en,)+ };
        pub static FR: AnalyticsText = AnalyticsText { $($key: $fr,)+ };
    };
}

analytics_texts! {
    nav_analytics: "Analytics", "Statistiques";
    title: "Analytics", "Statistiques";
    intro: "Figures of the openings you can see, for the days from the first date up to the second (not included).", "Chiffres des offres auxquelles vous avez accès, du premier jour indiqué jusqu'au second (non compris).";
    filters: "Filters", "Filtres";
    f_opening: "Opening", "Offre";
    all_openings: "All openings", "Toutes les offres";
    f_find: "Find an opening", "Trouver une offre";
    picker_left: "{n} other openings are not in the list: type part of a title, then Show.", "{n} autres offres ne sont pas dans la liste : tapez une partie du titre, puis Afficher.";
    f_from: "From", "Du";
    f_to: "To (not included)", "Au (non compris)";
    apply: "Show", "Afficher";
    bad_date: "Enter a date as YYYY-MM-DD.", "Saisissez une date au format AAAA-MM-JJ.";
    bad_order: "Must be after the start date.", "Doit être postérieure à la date de début.";
    too_long: "Choose at most 3 years.", "Choisissez au plus 3 ans.";
    error_field: "{field}: {message}", "{field} : {message}";
    download_csv: "Download CSV", "Télécharger en CSV";
    no_data: "No data for this period.", "Aucune donnée sur cette période.";
    total: "Total", "Total";

    funnel_title: "Funnel", "Entonnoir";
    funnel_unlisted_one: "1 other opening had nothing in this period and is not listed.", "1 autre offre n'a rien eu sur cette période et n'est pas listée.";
    funnel_unlisted: "{n} other openings had nothing in this period and are not listed.", "{n} autres offres n'ont rien eu sur cette période et ne sont pas listées.";
    funnel_intro: "Candidates counted are those who entered the opening in the period; shortlisted, interviewed and hired are those of them who ever reached that stage or a later one.", "Les candidats comptés sont ceux arrivés sur l'offre pendant la période ; présélectionnés, en entretien et recrutés sont ceux d'entre eux qui ont atteint cette étape ou une étape suivante.";
    funnel_chart: "Funnel of {scope}", "Entonnoir : {scope}";
    col_opening: "Opening", "Offre";
    col_posts: "Posts", "Publications";
    col_clicks: "Link clicks", "Clics sur les liens";
    col_replies: "Replies", "Réponses";
    col_candidates: "Candidates", "Candidats";
    col_shortlisted: "Shortlisted", "Présélectionnés";
    col_interviewed: "Interviewed", "En entretien";
    col_hired: "Hired", "Recrutés";

    channels_title: "Channels", "Canaux";
    channels_intro: "Each candidate is credited to the channel of their first contact with the opening (first touch).", "Chaque candidat est attribué au canal de son premier contact avec l'offre (premier contact).";
    channels_chart: "Candidates, shortlisted and hired per channel", "Candidats, présélectionnés et recrutés par canal";
    col_channel: "Channel", "Canal";
    channel_careers: "Careers site", "Site carrières";
    channel_unknown: "Unknown", "Inconnu";

    response_title: "Time to first response", "Délai de première réponse";
    response_intro: "Minutes from a candidate's answer to the acknowledgement sent, against each opening's target.", "Minutes entre la réponse d'un candidat et l'accusé de réception envoyé, comparées à l'objectif de chaque offre.";
    response_chart: "Answers within target, late, and waiting", "Réponses dans l'objectif, en retard et en attente";
    r_within: "Within target", "Dans l'objectif";
    r_late: "Late", "En retard";
    r_waiting: "Still waiting", "En attente";
    r_overdue: "Overdue", "En retard, toujours en attente";
    r_median: "Median (minutes)", "Médiane (minutes)";
    r_p90: "90th percentile (minutes)", "90e centile (minutes)";
    r_none: "—", "—";

    activity_title: "Activity", "Activité";
    activity_daily: "Per day.", "Par jour.";
    activity_weekly: "Per ISO week (the period is longer than 62 days).", "Par semaine ISO (la période dépasse 62 jours).";
    activity_chart: "Activity over time", "Activité dans le temps";
    col_period: "Period", "Période";
    col_answers: "New answers", "Nouvelles réponses";
    col_new_candidates: "New candidates", "Nouveaux candidats";
    col_decisions: "Decisions", "Décisions";
}

pub fn text(lang: super::Lang) -> &'static AnalyticsText {
    match lang {
        super::Lang::En => &EN,
        super::Lang::Fr => &FR,
    }
}

/// The nav entry, for the shared layout (templates pass their values by reference).
pub fn nav(lang: &super::Lang) -> &'static str {
    text(*lang).nav_analytics
}
