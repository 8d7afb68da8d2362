//! Texts of the hiring-manager review: the shortlist review, the candidate page, scorecards,
//! decisions and the comparison. Placeholders in braces are filled in by the handlers.

macro_rules! review_texts {
    ($($key:ident: $en:literal, $fr:literal;)+) => {
        pub struct ReviewText { $(pub $key: &'static str,)+ }
        pub static EN: ReviewText = ReviewText { $($key: $en,)+ };
        pub static FR: ReviewText = ReviewText { $($key: $fr,)+ };
    };
}

review_texts! {
    review_title: "Review: {title}", "Revue : {title}";
    review_link: "Review the shortlist", "Revoir la présélection";
    opening_analytics: "This opening's funnel and channels", "Entonnoir et canaux de cette offre";
    review_intro: "Candidates sorted by score. Keys: j and k move, a advances, r rejects, o opens, x selects.", "Candidats triés par score. Touches : j et k pour se déplacer, a pour faire avancer, r pour refuser, o pour ouvrir, x pour sélectionner.";
    back_to_opening: "Back to the opening", "Retour à l'offre";
    guest_banner: "Reviewing as {name}, from a review link: this shortlist only.", "Revue par {name}, depuis un lien de revue : cette présélection uniquement.";
    back_to_review: "Back to the review", "Retour à la revue";
    filters: "Filters", "Filtres";
    f_stage: "Stage", "Étape";
    f_stage_active: "In progress", "En cours";
    f_stage_all: "All", "Toutes";
    f_min_score: "Minimum score", "Score minimum";
    f_source: "Source", "Source";
    f_source_all: "All sources", "Toutes les sources";
    f_search: "Name", "Nom";
    f_sort: "Sort by", "Trier par";
    sort_score: "Score", "Score";
    sort_newest: "Newest", "Plus récents";
    sort_oldest: "Oldest", "Plus anciens";
    sort_name: "Name", "Nom";
    apply_filters: "Apply", "Appliquer";
    bad_stage: "Stage: choose one of the list.", "Étape : choisissez dans la liste.";
    bad_min_score: "Minimum score: a whole number from 0 to 100.", "Score minimum : un nombre entier de 0 à 100.";
    bad_source: "Source: choose one of the list.", "Source : choisissez dans la liste.";
    bad_sort: "Sort by: choose one of the list.", "Trier par : choisissez dans la liste.";
    none_match: "No candidate matches these filters.", "Aucun candidat ne correspond à ces filtres.";
    count: "{n} candidates", "{n} candidats";
    col_select: "Select", "Sélectionner";
    col_candidate: "Candidate", "Candidat";
    col_score: "Score", "Score";
    col_stage: "Stage", "Étape";
    col_matched: "Matched skills", "Compétences trouvées";
    col_missing: "Missing skills", "Compétences manquantes";
    col_source: "Source", "Source";
    col_age: "Age", "Ancienneté";
    col_actions: "Decide", "Décider";
    source_reply: "reply", "réponse";
    source_profile: "profile", "profil";
    source_apply_form: "apply form", "formulaire";
    source_sourcing_search: "sourcing search", "recherche";
    age_minutes: "{n} min", "{n} min";
    age_hours: "{n} h", "{n} h";
    age_days: "{n} d", "{n} j";
    advance_to: "Advance to {stage}", "Passer à : {stage}";
    advance: "Advance", "Faire avancer";
    hold: "Put on hold", "Mettre en attente";
    reject: "Reject", "Refuser";
    reject_reason: "Reason", "Motif";
    reject_choose: "Choose a reason", "Choisissez un motif";
    note: "Note (optional)", "Note (facultatif)";
    decision_note_long: "Note: at most 2000 characters.", "Note : 2000 caractères au plus.";
    reason_required: "Reason: choose why the candidate is rejected.", "Motif : indiquez pourquoi la candidature est refusée.";
    nothing_to_advance: "{name} has no next stage.", "{name} n'a pas d'étape suivante.";
    moved: "{name}: {stage}.", "{name} : {stage}.";
    bulk_title: "Selected candidates", "Candidats sélectionnés";
    bulk_apply: "Apply to the selection", "Appliquer à la sélection";
    bulk_action: "Action", "Action";
    bulk_none: "Select at least one candidate.", "Sélectionnez au moins un candidat.";
    bulk_too_many: "Select at most 100 candidates at once.", "Sélectionnez au plus 100 candidats à la fois.";
    bulk_bad_action: "Action: choose advance, hold or reject.", "Action : choisissez faire avancer, mettre en attente ou refuser.";
    bulk_done: "{n} candidates updated.", "{n} candidats mis à jour.";
    bulk_unknown: "A selected candidate is no longer in this opening: nothing was changed.", "Un candidat sélectionné ne fait plus partie de cette offre : rien n'a été modifié.";
    compare: "Compare the selection", "Comparer la sélection";
    compare_title: "Comparison: {title}", "Comparaison : {title}";
    compare_count: "Compare two to four candidates: select them in the review.", "Comparez deux à quatre candidats : sélectionnez-les dans la revue.";
    compare_unknown: "A candidate to compare is not in this opening.", "Un candidat à comparer ne fait pas partie de cette offre.";
    contact: "Contact", "Coordonnées";
    email: "Email", "E-mail";
    phone: "Phone", "Téléphone";
    headline: "Headline", "Titre";
    location: "Location", "Lieu";
    languages: "Languages", "Langues";
    experience: "Experience", "Expérience";
    years: "{n} years", "{n} ans";
    sources: "Where the candidate answered", "Où la personne s'est manifestée";
    open_original: "Open the original", "Voir l'original";
    explanation: "Why this score", "Pourquoi ce score";
    points: "{points} of {max} points", "{points} sur {max} points";
    evidence: "Evidence", "Éléments trouvés";
    required: "required", "requise";
    cv: "CV", "CV";
    cv_none: "No CV file yet.", "Pas encore de CV.";
    cv_download: "Download the file", "Télécharger le fichier";
    cv_viewer: "The CV as a PDF", "Le CV en PDF";
    cv_text: "Text read from the CV (matched skills highlighted)", "Texte lu dans le CV (compétences trouvées surlignées)";
    cv_no_text: "No text could be read from this file.", "Aucun texte n'a pu être lu dans ce fichier.";
    cv_page: "Page {n}", "Page {n}";
    history: "History", "Historique";
    history_entered: "Entered as {stage}", "Arrivée : {stage}";
    history_moved: "{from} → {to}", "{from} → {to}";
    by_hirecast: "Hirecast", "Hirecast";
    notes: "Private notes", "Notes privées";
    notes_hint: "Seen by the team of this opening, never by the candidate.", "Visibles par l'équipe de cette offre, jamais par le candidat.";
    note_add: "Add the note", "Ajouter la note";
    note_empty: "Note: write something first.", "Note : écrivez d'abord quelque chose.";
    note_long: "Note: at most 5000 characters.", "Note : 5000 caractères au plus.";
    note_added: "Note added.", "Note ajoutée.";
    no_notes: "No note yet.", "Pas encore de note.";
    scorecard: "Scorecard", "Grille d'évaluation";
    scorecard_hint: "Rate each criterion from 1 (weak) to 5 (excellent).", "Notez chaque critère de 1 (faible) à 5 (excellent).";
    scorecard_yours: "Your scorecard", "Votre évaluation";
    scorecard_not_rated: "not rated", "non noté";
    scorecard_comment: "Comment", "Commentaire";
    scorecard_save: "Save the scorecard", "Enregistrer l'évaluation";
    scorecard_saved: "Scorecard saved.", "Évaluation enregistrée.";
    scorecard_bad: "{criterion}: a rating from 1 to 5.", "{criterion} : une note de 1 à 5.";
    scorecard_empty: "Rate at least one criterion.", "Notez au moins un critère.";
    scorecard_long: "Comment: at most 5000 characters.", "Commentaire : 5000 caractères au plus.";
    scorecards_team: "The team's scorecards", "Évaluations de l'équipe";
    scorecard_mean: "Mean", "Moyenne";
    no_scorecards: "Nobody has rated this candidate yet.", "Personne n'a encore évalué ce candidat.";
    criteria: "Scorecard criteria", "Critères d'évaluation";
    criteria_hint: "One per line, at most 10.", "Un par ligne, 10 au plus.";
    criteria_save: "Save the criteria", "Enregistrer les critères";
    criteria_saved: "Criteria saved.", "Critères enregistrés.";
    criteria_empty: "Criteria: at least one.", "Critères : au moins un.";
    criteria_many: "Criteria: at most 10.", "Critères : 10 au plus.";
    criteria_long: "Criteria: each at most 80 characters.", "Critères : 80 caractères au plus chacun.";
    decision: "Decision", "Décision";
    decision_current: "Current stage: {stage}", "Étape actuelle : {stage}";
    decision_other: "Move to another stage", "Passer à une autre étape";
    decision_move: "Move", "Déplacer";
    row_score: "Score", "Score";
    row_scorecards: "Scorecard mean", "Moyenne des évaluations";
    links: "Review links", "Liens de revue";
    links_hint: "Send a hiring manager without an account a link to this shortlist only. The link expires and can be revoked.", "Envoyez à un manager sans compte un lien vers cette présélection uniquement. Le lien expire et peut être révoqué.";
    link_name: "Name", "Nom";
    link_email: "Email", "E-mail";
    link_language: "Language of the email", "Langue de l'e-mail";
    link_days: "Valid for (days)", "Valable (jours)";
    link_send: "Send the link", "Envoyer le lien";
    link_sent: "Review link sent.", "Lien de revue envoyé.";
    link_revoke: "Revoke", "Révoquer";
    link_revoked: "Review link revoked.", "Lien de revue révoqué.";
    link_bad_name: "Name: 1 to 100 characters.", "Nom : 1 à 100 caractères.";
    link_bad_email: "Email: a valid address.", "E-mail : une adresse valide.";
    link_bad_days: "Valid for: a whole number of days from 1 to 30.", "Validité : un nombre entier de jours de 1 à 30.";
    link_bad_language: "Language: English or French.", "Langue : anglais ou français.";
    link_team_member: "Email: this person has an account; make them a hiring manager of the opening instead.", "E-mail : cette personne a un compte ; ajoutez-la plutôt comme manager de l'offre.";
    link_active: "active until {date}", "actif jusqu'au {date}";
    link_expired: "expired on {date}", "expiré le {date}";
    link_was_revoked: "revoked on {date}", "révoqué le {date}";
    link_used: "last opened {date}", "ouvert le {date}";
    link_never_used: "never opened", "jamais ouvert";
    mail_link_subject: "Review the shortlist: {title}", "Présélection à revoir : {title}";
    mail_link_body: "{who} asks you to review the candidates shortlisted for {title}.", "{who} vous demande de revoir les candidats présélectionnés pour le poste {title}.";
    mail_link_expiry: "The link opens this shortlist only, without an account, until {date}. Keep it to yourself: whoever has it can review.", "Le lien ouvre cette présélection uniquement, sans compte, jusqu'au {date}. Gardez-le pour vous : qui l'a peut faire la revue.";
    mail_link_cta: "Open the shortlist", "Ouvrir la présélection";
    notify_title: "Email notifications", "Notifications par e-mail";
    notify_shortlist: "New shortlisted candidates on my openings", "Nouveaux candidats présélectionnés sur mes offres";
    notify_instant: "At once", "Tout de suite";
    notify_daily: "In a daily digest (8:00, my time zone)", "Dans un récapitulatif quotidien (8 h, mon fuseau horaire)";
    notify_off: "Never", "Jamais";
    notify_failures: "Publications that failed and accounts to reconnect", "Publications en échec et comptes à reconnecter";
    notify_targets: "Response targets about to be missed", "Délais de réponse bientôt dépassés";
    notify_saved: "Notification settings saved.", "Préférences de notification enregistrées.";
    notify_bad: "Choose when to be told of new shortlisted candidates.", "Choisissez quand être prévenu des nouveaux candidats présélectionnés.";
}

pub fn text(lang: super::Lang) -> &'static ReviewText {
    match lang {
        super::Lang::En => &EN,
        super::Lang::Fr => &FR,
    }
}
