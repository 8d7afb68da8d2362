//! Texts of privacy: the person's self-service page and the team's privacy dashboard.

macro_rules! privacy_texts {
    ($($key:ident: $en:literal, $fr:literal;)+) => {
        pub struct PrivacyText { $(pub $key: &'static str,)+ }
        pub static EN: PrivacyText = PrivacyText { $($key: $en,)+ };
        pub static FR: PrivacyText = PrivacyText { $($key: $fr,)+ };
    };
}

privacy_texts! {
    // The person's page
    page_title: "Your data", "Vos données";
    held_intro: "What we hold about you:", "Ce que nous conservons à votre sujet :";
    held_name: "Name", "Nom";
    held_email: "Email", "E-mail";
    held_phone: "Phone", "Téléphone";
    held_sources: "Messages and profiles found", "Messages et profils trouvés";
    held_cvs: "CV files", "Fichiers de CV";
    held_openings: "Openings", "Offres";
    kept_until: "Kept until about {date} unless you act again, then removed automatically.", "Conservées jusqu'au {date} environ si vous ne vous manifestez pas, puis effacées automatiquement.";
    kept_open: "Kept while the recruitment is open, then 3 months at most (2 years in the talent pool).", "Conservées pendant le recrutement, puis 3 mois au plus (2 ans dans le vivier).";
    pool_in: "You are in our talent pool: we may contact you about other openings.", "Vous êtes dans notre vivier de talents : nous pouvons vous proposer d'autres postes.";
    pool_out: "You are not in our talent pool.", "Vous n'êtes pas dans notre vivier de talents.";
    pool_join: "Join the talent pool (kept 2 years after your last contact)", "Rejoindre le vivier (conservé 2 ans après votre dernier contact)";
    pool_leave: "Leave the talent pool", "Quitter le vivier";
    export_button: "Download all my data (ZIP)", "Télécharger toutes mes données (ZIP)";
    erase_button: "Erase all my data now", "Effacer toutes mes données maintenant";
    erase_confirm: "I understand that this cannot be undone and ends my applications.", "Je comprends que c'est définitif et met fin à mes candidatures.";
    erase_confirm_missing: "Tick the box to confirm the erasure.", "Cochez la case pour confirmer l'effacement.";
    object_button: "Erase my data and never source me again", "Effacer mes données et ne plus jamais me solliciter";
    object_help: "We keep only a one-way fingerprint of your identifiers, so that our searches skip you.", "Nous ne gardons qu'une empreinte irréversible de vos identifiants, pour que nos recherches vous ignorent.";
    request_intro: "This link was sent where others may read it: tell us what you want and we answer within one month, after checking it is you.", "Ce lien a été envoyé là où d'autres peuvent le lire : dites-nous ce que vous souhaitez, nous répondons sous un mois après avoir vérifié votre identité.";
    request_kind: "Your request", "Votre demande";
    request_export: "A copy of my data", "Une copie de mes données";
    request_erasure: "Erase my data", "Effacer mes données";
    request_objection: "Stop sourcing me", "Ne plus me solliciter";
    request_message: "Message (optional): how to reach you privately", "Message (facultatif) : comment vous joindre en privé";
    request_send: "Send the request", "Envoyer la demande";
    request_sent: "Your request is recorded: we answer by {date} at the latest.", "Votre demande est enregistrée : nous y répondons au plus tard le {date}.";
    request_bad_kind: "Choose what you are asking for.", "Choisissez l'objet de votre demande.";
    erased_title: "Your data is erased", "Vos données sont effacées";
    erased_body: "Everything we held about you is erased: your applications, messages, CV files and notes.", "Tout ce que nous conservions à votre sujet est effacé : candidatures, messages, fichiers de CV et notes.";
    objected_body: "Everything we held about you is erased, and our sourcing searches will skip you from now on.", "Tout ce que nous conservions à votre sujet est effacé, et nos recherches vous ignoreront désormais.";
    pool_saved: "Your choice is saved.", "Votre choix est enregistré.";
    gone_title: "This link no longer works", "Ce lien ne fonctionne plus";
    gone_body: "Nothing is held under this link: the data was erased, or the link is wrong.", "Aucune donnée n'est associée à ce lien : elles ont été effacées, ou le lien est erroné.";
    notice_title: "How your data is used", "Utilisation de vos données";
    // The team's dashboard
    dash_title: "Privacy", "Confidentialité";
    dash_requests: "Open requests", "Demandes en cours";
    dash_no_requests: "No open request.", "Aucune demande en cours.";
    dash_requested: "Requested", "Demandée le";
    dash_due: "Answer by", "Réponse avant le";
    dash_overdue: "overdue", "en retard";
    dash_kind: "Request", "Demande";
    dash_candidate: "Candidate", "Candidat";
    dash_answer: "Answer", "Répondre";
    dash_refuse: "Refuse", "Refuser";
    dash_refuse_reason: "Reason (e.g. identity not confirmed)", "Motif (ex. identité non confirmée)";
    dash_refused: "The request is refused; the reason is recorded.", "La demande est refusée ; le motif est enregistré.";
    dash_open_person: "Open", "Ouvrir";
    dash_refuse_missing: "Give the reason of the refusal.", "Indiquez le motif du refus.";
    dash_due_title: "Due for removal", "À effacer";
    dash_due_none: "Nobody is due for removal in the next 90 days.", "Personne n'est à effacer dans les 90 prochains jours.";
    dash_due_first: "The first {n} of {m} people due in the next 90 days, soonest first.", "Les {n} premières des {m} personnes à effacer dans les 90 prochains jours, les plus proches d'abord.";
    dash_due_pending: "The dates of {n} people are being recomputed after a large change: they may be missing from this list for a few minutes. The daily purge always recomputes everyone first.", "Les dates de {n} personnes sont en cours de recalcul après un changement important : elles peuvent manquer à cette liste quelques minutes. La purge quotidienne recalcule toujours tout le monde d'abord.";
    dash_due_at: "Removed on", "Effacé le";
    dash_rule: "Rule", "Règle";
    rule_unsuccessful: "Unsuccessful: 3 months after the recruitment", "Non retenu : 3 mois après le recrutement";
    rule_talent_pool: "Talent pool: 2 years after the last contact", "Vivier : 2 ans après le dernier contact";
    rule_not_informed: "Not informed within a month", "Non informé sous un mois";
    dash_runs: "Purges", "Purges";
    dash_run_at: "When", "Quand";
    dash_run_reason: "Why", "Pourquoi";
    dash_run_people: "People", "Personnes";
    dash_run_rows: "Rows removed", "Lignes effacées";
    dash_audit: "Recent access to candidates", "Accès récents aux candidats";
    dash_actor: "Who", "Qui";
    dash_action: "What", "Quoi";
    dash_retention: "Kept: unsuccessful candidates {unsuccessful} days after their last opening closed; talent pool {pool} days after their last own action.", "Conservation : candidats non retenus {unsuccessful} jours après la clôture de leur dernière offre ; vivier {pool} jours après leur dernière action.";
    // The candidate page
    cand_privacy: "Privacy", "Confidentialité";
    cand_export: "Export their data (ZIP)", "Exporter ses données (ZIP)";
    cand_erase: "Erase this person everywhere", "Effacer cette personne partout";
    cand_object: "Record an objection to sourcing and erase", "Enregistrer une opposition et effacer";
    cand_confirm: "Confirm: this cannot be undone", "Confirmer : c'est définitif";
    cand_audit: "Who accessed this candidate", "Accès à ce candidat";
    cand_notice_sent: "Information notice sent on {date}", "Information envoyée le {date}";
    cand_notice_missing: "Information notice not sent yet (due by {date})", "Information pas encore envoyée (avant le {date})";
    cand_pool: "In the talent pool since {date}", "Dans le vivier depuis le {date}";
    cand_erased: "The person is erased: {n} rows removed.", "La personne est effacée : {n} lignes supprimées.";
}

pub fn text(lang: super::Lang) -> &'static PrivacyText {
    match lang {
        super::Lang::En => &EN,
        super::Lang::Fr => &FR,
    }
}

/// The nav entry (templates pass the language by reference).
pub fn nav(lang: &super::Lang) -> &'static str {
    text(*lang).dash_title
}
